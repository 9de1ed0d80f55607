namespace Fovea.Nn;

/// <summary>
/// Base of the loss objects (torch.nn's loss modules): they hold their options and call the F.* function.
/// They are not <see cref="Module"/>s because a loss takes a target besides its input and has no parameters.
/// </summary>
public abstract class Loss(Reduction reduction)
{
    public Reduction Reduction { get; } = reduction;

    /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    public abstract Tensor Forward(Tensor input, Tensor target);

    public override string ToString() => $"{GetType().Name}(reduction: {Reduction})";
}

/// <summary>Log-softmax + negative log-likelihood on raw scores (torch.nn.CrossEntropyLoss); see <see cref="F.CrossEntropy(Tensor, Tensor, Reduction, float, int, Tensor?)"/>.</summary>
public sealed class CrossEntropyLoss : Loss
{
    public CrossEntropyLoss(Tensor? weight = null, int ignoreIndex = -100, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f)
        : base(reduction)
    {
        LossSupport.CheckLabelSmoothing(nameof(CrossEntropyLoss), labelSmoothing);
        Weight = weight;
        IgnoreIndex = ignoreIndex;
        LabelSmoothing = labelSmoothing;
    }

    public Tensor? Weight { get; }
    public int IgnoreIndex { get; }
    public float LabelSmoothing { get; }

    public override Tensor Forward(Tensor input, Tensor target) => F.CrossEntropy(input, target, Reduction, LabelSmoothing, IgnoreIndex, Weight);
    public Tensor Forward(Tensor input, int[] target) => F.CrossEntropy(input, target, Reduction, LabelSmoothing, IgnoreIndex, Weight);
}

/// <summary>Negative log-likelihood on log-probabilities (torch.nn.NLLLoss); see <see cref="F.NllLoss(Tensor, Tensor, Reduction, int, Tensor?)"/>.</summary>
public sealed class NllLoss(Tensor? weight = null, int ignoreIndex = -100, Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    public Tensor? Weight { get; } = weight;
    public int IgnoreIndex { get; } = ignoreIndex;

    public override Tensor Forward(Tensor input, Tensor target) => F.NllLoss(input, target, Reduction, IgnoreIndex, Weight);
    public Tensor Forward(Tensor input, int[] target) => F.NllLoss(input, target, Reduction, IgnoreIndex, Weight);
}

/// <summary>Mean squared error (torch.nn.MSELoss).</summary>
public sealed class MseLoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    public override Tensor Forward(Tensor input, Tensor target) => F.MseLoss(input, target, Reduction);
}

/// <summary>Mean absolute error (torch.nn.L1Loss).</summary>
public sealed class L1Loss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    public override Tensor Forward(Tensor input, Tensor target) => F.L1Loss(input, target, Reduction);
}

/// <summary>Smooth L1 (torch.nn.SmoothL1Loss): quadratic below <see cref="Beta"/>, linear above.</summary>
public sealed class SmoothL1Loss : Loss
{
    public SmoothL1Loss(Reduction reduction = Reduction.Mean, float beta = 1f) : base(reduction)
    {
        LossSupport.CheckBeta(nameof(SmoothL1Loss), beta);
        Beta = beta;
    }

    public float Beta { get; }

    public override Tensor Forward(Tensor input, Tensor target) => F.SmoothL1Loss(input, target, Reduction, Beta);
}

/// <summary>Binary cross-entropy on probabilities (torch.nn.BCELoss).</summary>
public sealed class BinaryCrossEntropyLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    public Tensor? Weight { get; } = weight;

    public override Tensor Forward(Tensor input, Tensor target) => F.BinaryCrossEntropy(input, target, Reduction, Weight);
}

/// <summary>Sigmoid + binary cross-entropy, numerically stable (torch.nn.BCEWithLogitsLoss).</summary>
public sealed class BinaryCrossEntropyWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? posWeight = null)
    : Loss(reduction)
{
    public Tensor? Weight { get; } = weight;
    public Tensor? PosWeight { get; } = posWeight;

    public override Tensor Forward(Tensor input, Tensor target) =>
        F.BinaryCrossEntropyWithLogits(input, target, Reduction, PosWeight, Weight);
}

/// <summary>
/// Triplet loss max(d(A, P) - d(A, N) + margin, 0) (torch.nn.TripletMarginLoss, MISSION.md §5). It takes three
/// inputs, so it has its own Forward rather than <see cref="Loss.Forward"/>.
/// </summary>
public sealed class TripletMarginLoss
{
    public TripletMarginLoss(float margin = 1f, float p = 2f, float eps = 1e-6f, bool swap = false, Reduction reduction = Reduction.Mean)
    {
        LossSupport.CheckNormOrder(nameof(TripletMarginLoss), p);
        (Margin, P, Eps, Swap, Reduction) = (margin, p, eps, swap, reduction);
    }

    public float Margin { get; }
    public float P { get; }
    public float Eps { get; }
    public bool Swap { get; }
    public Reduction Reduction { get; }

    public Tensor Forward(Tensor anchor, Tensor positive, Tensor negative) =>
        F.TripletMarginLoss(anchor, positive, negative, Margin, P, Eps, Swap, Reduction);

    public override string ToString() => $"TripletMarginLoss(margin: {Margin}, p: {P}, swap: {Swap}, reduction: {Reduction})";
}
