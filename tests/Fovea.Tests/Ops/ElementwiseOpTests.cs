using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Ops;

/// <summary>Clamp, maximum/minimum, comparisons, where, sign (tools/golden/tensor_ops.py).</summary>
public sealed class ElementwiseOpTests : OpCaseTests<ElementwiseOpTests>, IOpCatalogue
{
    public static string Group => "tensor_ops";

    private static Tensor[] WhereInputs(int seed)
    {
        var condition = Tensor.Rand(new Shape(3, 1, 5), new Generator((ulong)seed)).Gt(0.5f);
        return [condition, .. GradCheck.RandomInputs(seed + 1, [4, 5], [3, 4, 1])];
    }

    public static IReadOnlyList<OpCase> Cases { get; } =
    [
        // Random normal inputs for the gradient checks: no element within the finite-difference step of a bound.
        new("clamp", x => x[0].Clamp(-0.5f, 0.7f), [[4, 5]]),
        new("clamp_min", x => x[0].Clamp(min: -0.5f), [[4, 5]]),
        new("clamp_max", x => x[0].Clamp(max: 0.7f), [[4, 5]]),
        new("maximum_broadcast_ties", x => Tensor.Maximum(x[0], x[1]), [[3, 1, 4], [2, 4]]),
        new("minimum_broadcast_ties", x => Tensor.Minimum(x[0], x[1]), [[3, 1, 4], [2, 4]]),
        new("eq_broadcast", x => x[0].Eq(x[1]), null, Note: "not differentiable"),
        new("ne_broadcast", x => x[0].Ne(x[1]), null, Note: "not differentiable"),
        new("lt_broadcast", x => x[0].Lt(x[1]), null, Note: "not differentiable"),
        new("le_broadcast", x => x[0].Le(x[1]), null, Note: "not differentiable"),
        new("gt_broadcast", x => x[0].Gt(x[1]), null, Note: "not differentiable"),
        new("ge_broadcast", x => x[0].Ge(x[1]), null, Note: "not differentiable"),
        new("eq_scalar", x => x[0].Eq(1f), null, Note: "not differentiable"),
        new("ne_scalar", x => x[0].Ne(1f), null, Note: "not differentiable"),
        new("lt_scalar", x => x[0].Lt(1f), null, Note: "not differentiable"),
        new("le_scalar", x => x[0].Le(1f), null, Note: "not differentiable"),
        new("gt_scalar", x => x[0].Gt(1f), null, Note: "not differentiable"),
        new("ge_scalar", x => x[0].Ge(1f), null, Note: "not differentiable"),
        new("where_broadcast", x => Tensor.Where(x[0], x[1], x[2]), null, MakeInputs: WhereInputs),
        new("sign", x => x[0].Sign(), [[3, 5]]),
    ];

    [Fact]
    public void ClampEdgeCasesFollowPyTorch()
    {
        var x = Tensor.FromArray([float.NaN, -2f, 0.5f, 3f]).RequiresGradient();
        var y = x.Clamp(-1f, 1f);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal([-1f, 0.5f, 1f], y.ToArray()[1..]);
        y.Sum().Backward();
        Assert.Equal([0f, 0f, 1f, 0f], x.Grad!.ToArray());
        Assert.Equal([1f, 1f, 1f], Tensor.FromArray([0f, 1f, 2f]).Clamp(2f, 1f).ToArray()); // min > max: all max
        Assert.Throws<ArgumentException>(() => x.Clamp());
    }

    [Fact]
    public void MaximumSplitsGradientOnTies()
    {
        var a = Tensor.FromArray([1f, 2f, 3f]).RequiresGradient();
        var b = Tensor.FromArray([2f, 2f, 2f]).RequiresGradient();
        Tensor.Maximum(a, b).Sum().Backward();
        Assert.Equal([0f, 0.5f, 1f], a.Grad!.ToArray());
        Assert.Equal([1f, 0.5f, 0f], b.Grad!.ToArray());
    }

    [Fact]
    public void ComparisonsHandleNaNAndAreNotRecorded()
    {
        var x = Tensor.FromArray([float.NaN, 1f]).RequiresGradient();
        Assert.Equal([0f, 1f], x.Eq(1f).ToArray());
        Assert.Equal([1f, 0f], x.Ne(1f).ToArray());
        Assert.Equal([0f, 0f], x.Lt(x).ToArray());
        Assert.False(x.Ge(0f).RequiresGrad);
        Assert.Equal([0f, 0f, 0f, 1f], Tensor.FromArray([float.NaN, -0f, 0f, 2f]).Sign().ToArray().Select(Math.Abs));
    }

    [Fact]
    public void BroadcastMismatchNamesBothShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Lt(Tensor.Zeros(4, 3)));
        Assert.Contains("(2, 3)", error.Message);
        Assert.Contains("(4, 3)", error.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Maximum(Tensor.Zeros(2), Tensor.Zeros(3)));
        Assert.Throws<ArgumentException>(() => Tensor.Where(Tensor.Zeros(2), Tensor.Zeros(3), Tensor.Zeros(1)));
    }
}
