namespace Fovea.Optim;

/// <summary>Multiplies each group's learning rate by <see cref="Gamma"/> every <see cref="StepSize"/> epochs (torch.optim.lr_scheduler.StepLR).</summary>
public sealed class StepLR : LRScheduler
{
    public StepLR(Optimizer optimizer, int stepSize, float gamma = 0.1f) : base(Checked(optimizer, stepSize, gamma))
    {
        (StepSize, Gamma) = (stepSize, gamma);
        Initialize();
    }

    // Runs before the base constructor, which records the groups' initial rates.
    private static Optimizer Checked(Optimizer optimizer, int stepSize, float gamma)
    {
        if (stepSize <= 0) throw new ArgumentOutOfRangeException(nameof(stepSize), $"StepLR: stepSize must be > 0, got {stepSize}.");
        if (!float.IsFinite(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), $"StepLR: gamma must be finite, got {gamma}.");
        return optimizer;
    }

    public int StepSize { get; private set; }
    public float Gamma { get; private set; }

    protected override double[] ComputeLearningRates()
    {
        bool decay = LastEpoch != 0 && LastEpoch % StepSize == 0;
        return [.. Optimizer.ParameterGroups.Select(g => decay ? (double)g.LearningRate * Gamma : g.LearningRate)];
    }

    protected override IEnumerable<(string Name, float Value)> Settings() => [("step_size", StepSize), ("gamma", Gamma)];

    protected override string? CheckSetting(string name, float value) => name switch
    {
        "step_size" when !(value >= 1 && value == MathF.Round(value)) => $"step_size must be a positive integer, got {value}",
        "gamma" when !float.IsFinite(value) => $"gamma must be finite, got {value}",
        _ => null,
    };

    protected override void RestoreSetting(string name, float value)
    {
        switch (name)
        {
            case "step_size": StepSize = (int)value; break;
            case "gamma": Gamma = value; break;
            default: throw new ArgumentException($"{GetType().Name} has no setting '{name}'.", nameof(name));
        }
    }
}
