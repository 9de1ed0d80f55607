namespace Fovea.Optim;

/// <summary>
/// Parameters that share a learning rate and weight decay (PyTorch's param_groups), e.g. a backbone trained
/// with a smaller rate than the head, or biases without weight decay. Values left null take the optimizer's
/// defaults when the group is given to it.
/// </summary>
public sealed class ParameterGroup
{
    private float? learningRate;
    private float? weightDecay;

    public ParameterGroup(IEnumerable<Tensor> parameters, float? learningRate = null, float? weightDecay = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = [.. parameters];
        if (learningRate is float lr) CheckLearningRate(lr);
        if (weightDecay is float decay) CheckWeightDecay(decay);
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
    }

    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The group's current learning rate (schedulers change it).</summary>
    public float LearningRate
    {
        get => learningRate ?? throw new InvalidOperationException("This parameter group has not been given to an optimizer yet, so it has no learning rate.");
        set { CheckLearningRate(value); learningRate = value; }
    }

    public float WeightDecay
    {
        get => weightDecay ?? throw new InvalidOperationException("This parameter group has not been given to an optimizer yet, so it has no weight decay.");
        set { CheckWeightDecay(value); weightDecay = value; }
    }

    /// <summary>
    /// The learning rate when the first scheduler was attached (PyTorch's 'initial_lr'); later schedulers
    /// on the same optimizer start from it too, so that they chain.
    /// </summary>
    public float? InitialLearningRate { get; internal set; }

    internal void ApplyDefaults(float defaultLearningRate, float defaultWeightDecay)
    {
        learningRate ??= defaultLearningRate;
        weightDecay ??= defaultWeightDecay;
    }

    internal static void CheckLearningRate(float value, string argumentName = "learningRate")
    {
        if (!(value >= 0f)) throw new ArgumentOutOfRangeException(argumentName, $"Invalid learning rate: {value} (must be >= 0).");
    }

    internal static void CheckWeightDecay(float value, string argumentName = "weightDecay")
    {
        if (!(value >= 0f)) throw new ArgumentOutOfRangeException(argumentName, $"Invalid weight_decay value: {value} (must be >= 0).");
    }
}
