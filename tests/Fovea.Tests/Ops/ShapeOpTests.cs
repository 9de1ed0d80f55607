using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Ops;

/// <summary>Permute, transpose, t, squeeze/unsqueeze, expand/broadcast_to, repeat (tools/golden/tensor_ops.py).</summary>
public sealed class ShapeOpTests : OpCaseTests<ShapeOpTests>, IOpCatalogue
{
    public static string Group => "tensor_ops";

    public static IReadOnlyList<OpCase> Cases { get; } =
    [
        new("permute_0231", x => x[0].Permute(0, 2, 3, 1), [[2, 3, 4, 5]]),
        new("permute_neg", x => x[0].Permute(-1, 0, 1), [[3, 4, 5]]),
        new("transpose_0_2", x => x[0].Transpose(0, 2), [[2, 3, 5]]),
        new("transpose_neg", x => x[0].Transpose(-1, -2), [[2, 3, 5]]),
        new("t_2d", x => x[0].T(), [[3, 7]]),
        new("unsqueeze_0", x => x[0].Unsqueeze(0), [[3, 4]]),
        new("unsqueeze_neg1", x => x[0].Unsqueeze(-1), [[3, 4]]),
        new("squeeze_dim", x => x[0].Squeeze(-2), [[3, 1, 4]]),
        new("squeeze_all", x => x[0].Squeeze(), [[1, 3, 1, 4]]),
        new("expand", x => x[0].Expand(2, 3, 4), [[3, 1]]),
        new("expand_keep", x => x[0].Expand(3, -1, 5), [[1, 4, 1]]),
        new("broadcast_to", x => x[0].BroadcastTo(new Shape(2, 3, 5)), [[5]]),
        new("repeat_more_dims", x => x[0].Repeat(2, 1, 3), [[2, 3]]),
        new("repeat_same_rank", x => x[0].Repeat(3, 2), [[2, 3]]),
    ];

    [Fact]
    public void SqueezeOfANonUnitDimensionKeepsTheShape()
    {
        Assert.Equal(new Shape(2, 3), Tensor.Zeros(2, 3).Squeeze(0).Shape);
        Assert.Equal(new Shape(), Tensor.Zeros(1, 1).Squeeze().Shape);
    }

    [Fact]
    public void TOfAVectorIsTheVector()
    {
        var v = Tensor.FromArray([1f, 2f, 3f]);
        Assert.Equal(v.ToArray(), v.T().ToArray());
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3, 4).T());
    }

    [Fact]
    public void PermuteMovesElements()
    {
        var x = Tensor.Arange(6).Reshape(2, 3);
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], x.Permute(1, 0).ToArray());
        Assert.Equal(new Shape(3, 2), x.Permute(-1, -2).Shape);
    }

    [Fact]
    public void BadPermutationsThrow()
    {
        var x = Tensor.Zeros(2, 3, 4);
        Assert.Contains("rank 3", Assert.Throws<ArgumentException>(() => x.Permute(0, 1)).Message);
        Assert.Contains("more than once", Assert.Throws<ArgumentException>(() => x.Permute(0, 1, -3)).Message);
        Assert.Contains("(2, 3, 4)", Assert.Throws<ArgumentOutOfRangeException>(() => x.Permute(0, 1, 3)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Transpose(0, -4));
    }

    [Fact]
    public void UnsqueezeDimOutOfRangeThrows()
    {
        var x = Tensor.Zeros(2, 3);
        Assert.Equal(new Shape(2, 3, 1), x.Unsqueeze(2).Shape);
        Assert.Equal(new Shape(1, 2, 3), x.Unsqueeze(-3).Shape);
        Assert.Contains("(2, 3)", Assert.Throws<ArgumentOutOfRangeException>(() => x.Unsqueeze(3)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Unsqueeze(-4));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Squeeze(2));
    }

    [Fact]
    public void ExpandOfANonUnitDimensionThrowsNamingBothShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 2).Expand(3, 4));
        Assert.Contains("(3, 2)", error.Message);
        Assert.Contains("(3, 4)", error.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(3).Expand(-1, 3));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Expand(3));
    }

    [Fact]
    public void RepeatWithTooFewOrNegativeCountsThrows()
    {
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Repeat(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).Repeat(2, -1));
        Assert.Equal(new Shape(0, 3), Tensor.Zeros(2, 3).Repeat(0, 1).Shape);
    }
}
