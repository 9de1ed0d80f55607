namespace Fovea.Optim;

/// <summary>
/// Cosine annealing from each group's base rate down to <see cref="EtaMin"/> over <see cref="TMax"/> epochs, then
/// back up (torch.optim.lr_scheduler.CosineAnnealingLR, without restarts), in PyTorch's recursive form:
/// lr_t = eta_min + (1 + cos(π t/T)) / (1 + cos(π (t-1)/T)) · (lr_{t-1} - eta_min),
/// and lr_t = lr_{t-1} + (base - eta_min)(1 - cos(π/T))/2 where (t - 1 - T) is a multiple of 2T.
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    public CosineAnnealingLR(Optimizer optimizer, int tMax, float etaMin = 0f) : base(Checked(optimizer, tMax, etaMin))
    {
        (TMax, EtaMin) = (tMax, etaMin);
        Initialize();
    }

    // Runs before the base constructor, which records the groups' initial rates.
    private static Optimizer Checked(Optimizer optimizer, int tMax, float etaMin)
    {
        if (tMax <= 0) throw new ArgumentOutOfRangeException(nameof(tMax), $"CosineAnnealingLR: tMax must be > 0, got {tMax}.");
        if (!float.IsFinite(etaMin)) throw new ArgumentOutOfRangeException(nameof(etaMin), $"CosineAnnealingLR: etaMin must be finite, got {etaMin}.");
        return optimizer;
    }

    public int TMax { get; private set; }
    public float EtaMin { get; private set; }

    protected override double[] ComputeLearningRates()
    {
        var groups = Optimizer.ParameterGroups;
        var rates = new double[groups.Count];
        int epoch = LastEpoch;
        for (int g = 0; g < groups.Count; g++)
        {
            double current = groups[g].LearningRate, eta = EtaMin;
            if (epoch == 0) rates[g] = current;
            // Python's modulo: (epoch - 1 - T) may be negative; its remainder by 2T is then taken non-negative.
            else if (((epoch - 1 - TMax) % (2 * TMax) + 2 * TMax) % (2 * TMax) == 0)
                rates[g] = current + (BaseLearningRates[g] - eta) * (1 - Math.Cos(Math.PI / TMax)) / 2;
            else
                rates[g] = (1 + Math.Cos(Math.PI * epoch / TMax)) / (1 + Math.Cos(Math.PI * (epoch - 1) / TMax)) * (current - eta) + eta;
        }
        return rates;
    }

    protected override IEnumerable<(string Name, float Value)> Settings() => [("T_max", TMax), ("eta_min", EtaMin)];

    protected override string? CheckSetting(string name, float value) => name switch
    {
        "T_max" when !(value >= 1 && value == MathF.Round(value)) => $"T_max must be a positive integer, got {value}",
        "eta_min" when !float.IsFinite(value) => $"eta_min must be finite, got {value}",
        _ => null,
    };

    protected override void RestoreSetting(string name, float value)
    {
        switch (name)
        {
            case "T_max": TMax = (int)value; break;
            case "eta_min": EtaMin = value; break;
            default: throw new ArgumentException($"{GetType().Name} has no setting '{name}'.", nameof(name));
        }
    }
}
