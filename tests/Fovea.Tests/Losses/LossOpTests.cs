using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Losses;

/// <summary>
/// Every loss, each reduction, label smoothing, ignore index, class weights, spatial cross-entropy, soft targets
/// and the pairwise distance, against tools/golden/losses.py, plus finite-difference gradient checks.
/// </summary>
public sealed class LossOpTests : OpCaseTests<LossOpTests>, IOpCatalogue
{
    public static string Group => "losses";

    private static readonly float[] Targets4 = [1, 0, 4, 2];

    private static Tensor Constant(float[] values, params int[] shape) => Tensor.FromArray(values, shape);

    private static Tensor Normal(int seed, params int[] shape) => Normal(seed, 1f, shape);

    private static Tensor Normal(int seed, float std, params int[] shape) =>
        Tensor.Randn(new Shape(shape), new Generator((ulong)seed), std: std).RequiresGradient();

    private static Tensor Uniform(int seed, float low, float high, params int[] shape) =>
        Tensor.Rand(new Shape(shape), new Generator((ulong)seed), low, high).RequiresGradient();

    /// <summary>Random logits (requiring grad) with fixed class-index targets and optional extra constants.</summary>
    private static Func<int, Tensor[]> Classification(int[] logitsShape, float[] targets, int[] targetShape, params Tensor[] constants) =>
        seed => [Normal(seed, logitsShape), Constant(targets, targetShape), .. constants];

    /// <summary>Random class indices in [0, classes) with one ignored position (-100).</summary>
    private static float[] SpatialTargets(int count, int classes)
    {
        var generator = new Generator(99);
        var targets = new float[count];
        for (int i = 0; i < count; i++) targets[i] = generator.NextInt(classes);
        targets[count / 3] = -100;
        return targets;
    }

    private static IEnumerable<OpCase> CrossEntropyCases()
    {
        foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            string suffix = reduction.ToString().ToLowerInvariant();
            yield return new($"cross_entropy_{suffix}", x => F.CrossEntropy(x[0], x[1], reduction), null,
                MakeInputs: Classification([4, 5], Targets4, [4]));
            yield return new($"cross_entropy_smoothing_{suffix}", x => F.CrossEntropy(x[0], x[1], reduction, labelSmoothing: 0.2f), null,
                MakeInputs: Classification([4, 5], Targets4, [4]));
            yield return new($"cross_entropy_weight_{suffix}",
                x => F.CrossEntropy(x[0], x[1], reduction, labelSmoothing: 0.1f, ignoreIndex: 0, weight: x[2]), null,
                MakeInputs: Classification([6, 3], [0, 1, 2, 2, 1, 0], [6], Constant([0.5f, 2f, 1.5f])));
        }
        yield return new("cross_entropy_ignore_index", x => F.CrossEntropy(x[0], x[1]), null,
            MakeInputs: Classification([5, 4], [0, -100, 3, -100, 1], [5]));
        yield return new("cross_entropy_ignore_class_smoothing", x => F.CrossEntropy(x[0], x[1], ignoreIndex: 2, labelSmoothing: 0.3f), null,
            MakeInputs: Classification([5, 4], [0, 2, 3, 2, 1], [5]));
        yield return new("cross_entropy_spatial_mean", x => F.CrossEntropy(x[0], x[1], labelSmoothing: 0.1f), null,
            MakeInputs: Classification([2, 3, 4, 5], SpatialTargets(40, 3), [2, 4, 5]));
        yield return new("cross_entropy_spatial_none", x => F.CrossEntropy(x[0], x[1], Reduction.None, labelSmoothing: 0.1f), null,
            MakeInputs: Classification([2, 3, 4, 5], SpatialTargets(40, 3), [2, 4, 5]));
        yield return new("cross_entropy_unbatched", x => F.CrossEntropy(x[0], x[1]), null,
            MakeInputs: seed => [Normal(seed, 6), Tensor.Scalar(4)]);
        yield return new("cross_entropy_probabilities", x => F.CrossEntropy(x[0], x[1]), [[3, 4], [3, 4]]);
        yield return new("cross_entropy_probabilities_weight_smoothing",
            x => F.CrossEntropy(x[0], x[1], Reduction.Sum, labelSmoothing: 0.25f, weight: x[2]), null,
            MakeInputs: seed => [Normal(seed, 2, 3, 2), Uniform(seed + 1, 0f, 1f, 2, 3, 2), Constant([1f, 0.5f, 3f])]);
        yield return new("cross_entropy_large_logits", x => F.CrossEntropy(x[0], x[1], Reduction.None), null,
            Note: "Logits of ±1000 check the stable log-softmax; the golden test covers them, a finite-difference step cannot.");
    }

    private static IEnumerable<OpCase> NllCases()
    {
        foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
            yield return new($"nll_{reduction.ToString().ToLowerInvariant()}", x => F.NllLoss(x[0], x[1], reduction), null,
                MakeInputs: Classification([4, 5], Targets4, [4]));
        yield return new("nll_weight_ignore", x => F.NllLoss(x[0], x[1], ignoreIndex: 1, weight: x[2]), null,
            MakeInputs: Classification([5, 3], [0, 1, 2, 1, 2], [5], Constant([0.2f, 1f, 3f])));
        yield return new("nll_spatial", x => F.NllLoss(x[0], x[1]), null,
            MakeInputs: Classification([2, 3, 4, 5], SpatialTargets(40, 3), [2, 4, 5]));
    }

    private static IEnumerable<OpCase> RegressionAndBinaryCases()
    {
        foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            string suffix = reduction.ToString().ToLowerInvariant();
            yield return new($"mse_{suffix}", x => F.MseLoss(x[0], x[1], reduction), [[3, 4], [3, 4]]);
            yield return new($"l1_{suffix}", x => F.L1Loss(x[0], x[1], reduction), [[3, 4], [3, 4]]);
            yield return new($"smooth_l1_{suffix}", x => F.SmoothL1Loss(x[0], x[1], reduction), [[3, 5], [3, 5]]);
            yield return new($"bce_{suffix}", x => F.BinaryCrossEntropy(x[0], x[1], reduction), null,
                MakeInputs: seed => [Uniform(seed, 0.05f, 0.95f, 4, 3), Uniform(seed + 1, 0f, 1f, 4, 3)]);
            yield return new($"bce_with_logits_{suffix}", x => F.BinaryCrossEntropyWithLogits(x[0], x[1], reduction), null,
                MakeInputs: seed => [Normal(seed, 3f, 4, 3), Uniform(seed + 1, 0f, 1f, 4, 3)]);
        }
        yield return new("smooth_l1_beta_0_5", x => F.SmoothL1Loss(x[0], x[1], beta: 0.5f), [[4, 5], [4, 5]]);
        yield return new("smooth_l1_beta_0", x => F.SmoothL1Loss(x[0], x[1], beta: 0f), [[4, 5], [4, 5]]);
        yield return new("bce_weight", x => F.BinaryCrossEntropy(x[0], x[1], weight: x[2]), null,
            MakeInputs: seed => [Uniform(seed, 0.05f, 0.95f, 4, 3), Uniform(seed + 1, 0f, 1f, 4, 3), Constant([0.5f, 1f, 2f])]);
        yield return new("bce_saturated", x => F.BinaryCrossEntropy(x[0], x[1], Reduction.None), null,
            Note: "Probabilities 0 and 1 check the log clamp at -100 and the 1e-12 gradient floor; no finite difference exists there.");
        yield return new("bce_with_logits_pos_weight", x => F.BinaryCrossEntropyWithLogits(x[0], x[1], Reduction.Sum, posWeight: x[2]), null,
            MakeInputs: seed => [Normal(seed, 3f, 4, 3), Uniform(seed + 1, 0f, 1f, 4, 3), Constant([3f, 0.5f, 1f])]);
        yield return new("bce_with_logits_weight_pos_weight", x => F.BinaryCrossEntropyWithLogits(x[0], x[1], posWeight: x[3], weight: x[2]), null,
            MakeInputs: seed => [Normal(seed, 2, 4), Uniform(seed + 1, 0f, 1f, 2, 4), Constant([2f, 0.5f], 2, 1), Constant([1f, 2f, 3f, 4f])]);
        yield return new("bce_with_logits_large", x => F.BinaryCrossEntropyWithLogits(x[0], x[1], Reduction.None), null,
            Note: "Logits of ±100 check the overflow-free form; the golden test covers them.");
    }

    private static IEnumerable<OpCase> DistanceCases()
    {
        foreach (var (name, p) in new[] { ("p2", 2f), ("p1", 1f), ("p3", 3f), ("pinf", float.PositiveInfinity) })
            yield return new($"pairwise_distance_{name}", x => F.PairwiseDistance(x[0], x[1], p), [[4, 6], [4, 6]]);
        foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
            yield return new($"triplet_{reduction.ToString().ToLowerInvariant()}", x => F.TripletMarginLoss(x[0], x[1], x[2], reduction: reduction),
                [[6, 5], [6, 5], [6, 5]]);
        yield return new("triplet_swap", x => F.TripletMarginLoss(x[0], x[1], x[2], margin: 2f, swap: true, reduction: Reduction.None),
            [[6, 5], [6, 5], [6, 5]]);
        yield return new("triplet_p1_margin", x => F.TripletMarginLoss(x[0], x[1], x[2], margin: 0.5f, p: 1f), [[6, 5], [6, 5], [6, 5]]);
        yield return new("triplet_unbatched", x => F.TripletMarginLoss(x[0], x[1], x[2], margin: 3f), [[5], [5], [5]]);
    }

    public static IReadOnlyList<OpCase> Cases { get; } =
        [.. CrossEntropyCases(), .. NllCases(), .. RegressionAndBinaryCases(), .. DistanceCases()];
}
