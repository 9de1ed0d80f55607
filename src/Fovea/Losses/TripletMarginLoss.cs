using Fovea.Kernels.Cpu;

namespace Fovea;

public static partial class F
{
    /// <summary>
    /// Triplet loss (MISSION.md §5; torch.nn.functional.triplet_margin_loss):
    /// l(A, P, N) = max(d(A, P) - d(A, N) + margin, 0) with d the <see cref="PairwiseDistance"/> ||x - y + eps||_p.
    /// With <paramref name="swap"/> the negative distance is min(d(A, N), d(P, N)) (Balntas et al., 2016).
    /// anchor, positive, negative: (N, D) encodings of the same shape (or (D) for one triplet; more leading
    /// dimensions are kept) -> per-triplet losses, then reduced.
    /// </summary>
    public static Tensor TripletMarginLoss(Tensor anchor, Tensor positive, Tensor negative, float margin = 1f, float p = 2f,
        float eps = 1e-6f, bool swap = false, Reduction reduction = Reduction.Mean)
    {
        const string op = nameof(TripletMarginLoss);
        ArgumentNullException.ThrowIfNull(anchor);
        ArgumentNullException.ThrowIfNull(positive);
        ArgumentNullException.ThrowIfNull(negative);
        if (anchor.Rank == 0) throw new ArgumentException($"{op}: anchor must be (N, D) or (D), got a scalar.", nameof(anchor));
        if (positive.Shape != anchor.Shape)
            throw new ArgumentException($"{op}: positive has shape {positive.Shape}, expected the anchor's shape {anchor.Shape}.", nameof(positive));
        if (negative.Shape != anchor.Shape)
            throw new ArgumentException($"{op}: negative has shape {negative.Shape}, expected the anchor's shape {anchor.Shape}.", nameof(negative));
        LossSupport.CheckNormOrder(op, p);

        var anchorPositive = PairwiseDistance(anchor, positive, p, eps);
        var anchorNegative = PairwiseDistance(anchor, negative, p, eps);
        var positiveNegative = swap ? PairwiseDistance(positive, negative, p, eps) : null;
        Tensor[] distances = positiveNegative is null ? [anchorPositive, anchorNegative] : [anchorPositive, anchorNegative, positiveNegative];
        var losses = Tensor.NewStorage(anchorPositive.Size);
        TripletMarginKernel.Forward(anchorPositive.Data, anchorNegative.Data, positiveNegative?.Data, margin, losses);
        var perTriplet = Tensor.Record(new Tensor(losses, anchorPositive.Shape), "triplet_margin_hinge", distances, upstream =>
        {
            var grads = distances.Select(d => Tensor.NewStorage(d.Size)).ToArray();
            TripletMarginKernel.Backward(upstream.Data, anchorPositive.Data, anchorNegative.Data, positiveNegative?.Data, margin,
                grads[0], grads[1], swap ? grads[2] : null);
            return [.. grads.Select((grad, i) => (Tensor?)new Tensor(grad, distances[i].Shape))];
        });
        return LossSupport.Reduce(perTriplet, reduction);
    }
}
