using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Ops;

/// <summary>Concat/stack, split/chunk, narrow/slice, index_select, gather (tools/golden/tensor_ops.py).</summary>
public sealed class JoinIndexOpTests : OpCaseTests<JoinIndexOpTests>, IOpCatalogue
{
    public static string Group => "tensor_ops";

    private static Tensor[] WithIndex(int seed, int[] shape, float[] index, params int[] indexShape) =>
        [GradCheck.RandomInputs(seed, shape)[0], Tensor.FromArray(index, indexShape)];

    public static IReadOnlyList<OpCase> Cases { get; } =
    [
        new("cat_dim1", x => Tensor.Concat(x, 1), [[2, 3, 4], [2, 1, 4], [2, 5, 4]]),
        new("cat_dim_neg1", x => Tensor.Cat(x, -1), [[3, 2], [3, 5]]),
        new("cat_dim0", x => Tensor.Concat(x, 0), [[3, 4], [1, 4]]),
        new("stack_dim0", x => Tensor.Stack(x, 0), [[2, 3], [2, 3], [2, 3]]),
        new("stack_dim_neg1", x => Tensor.Stack(x, -1), [[2, 3], [2, 3]]),
        new("stack_dim1", x => Tensor.Stack(x, 1), [[2, 3], [2, 3]]),
        new("split_size_0", x => x[0].Split(3)[0], [[7, 3]]),
        new("split_size_1", x => x[0].Split(3)[1], [[7, 3]]),
        new("split_size_2", x => x[0].Split(3)[2], [[7, 3]]),
        new("split_sizes_0", x => x[0].Split([1, 4, 2], -1)[0], [[2, 7]]),
        new("split_sizes_1", x => x[0].Split([1, 4, 2], -1)[1], [[2, 7]]),
        new("split_sizes_2", x => x[0].Split([1, 4, 2], -1)[2], [[2, 7]]),
        new("chunk_0", x => x[0].Chunk(4, 0)[0], [[6, 5]]),
        new("chunk_1", x => x[0].Chunk(4, 0)[1], [[6, 5]]),
        new("chunk_2", x => x[0].Chunk(4, 0)[2], [[6, 5]]),
        new("narrow", x => x[0].Narrow(1, 2, 3), [[4, 6]]),
        new("narrow_neg_start", x => x[0].Narrow(-2, -3, 2), [[5, 3]]),
        new("slice_step", x => x[0].Slice(1, 1, 6, 2), [[3, 7]]),
        new("slice_neg_clamped", x => x[0].Slice(0, -10, 3), [[5, 2]]),
        new("slice_neg_start_to_end", x => x[0].Slice(-1, -3, int.MaxValue), [[2, 3, 5]]),
        new("slice_step_past_end", x => x[0].Slice(0, 1, 100, 3), [[8]]),
        new("index_select_repeats", x => x[0].IndexSelect(1, Tensor.FromArray([4f, 0f, 4f, 2f])), [[3, 5]]),
        new("index_select_dim_neg", x => x[0].IndexSelect(-3, 1, 1), [[2, 3, 4]]),
        new("gather_dim1", x => x[0].Gather(1, x[1]), null,
            MakeInputs: s => WithIndex(s, [3, 5], [0, 4, 4, 1, 2, 2, 3, 0, 1, 0, 0, 0], 3, 4)),
        new("gather_dim0_smaller", x => x[0].Gather(0, x[1]), null,
            MakeInputs: s => WithIndex(s, [4, 5], [3, 0, 1, 3, 3, 2], 2, 3)),
        new("gather_dim_neg1_3d", x => x[0].Gather(-1, x[1]), null,
            MakeInputs: s => WithIndex(s, [2, 3, 4], [3, 0, 2, 1, 1, 3], 2, 3, 1)),
    ];

    [Fact]
    public void ConcatShapeMismatchNamesAllShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Concat([Tensor.Zeros(2, 3), Tensor.Zeros(2, 4), Tensor.Zeros(3, 1)], 1));
        Assert.Contains("(2, 3)", error.Message);
        Assert.Contains("(2, 4)", error.Message);
        Assert.Contains("(3, 1)", error.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Concat([Tensor.Zeros(2, 3), Tensor.Zeros(2, 3, 1)], 0));
        Assert.Throws<ArgumentException>(() => Tensor.Concat([], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Concat([Tensor.Zeros(2, 3)], 2));
    }

    [Fact]
    public void StackNeedsEqualShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Stack([Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)]));
        Assert.Contains("(2, 3)", error.Message);
        Assert.Contains("(3, 2)", error.Message);
        Assert.Equal(new Shape(2, 3, 2), Tensor.Stack([Tensor.Zeros(2, 3), Tensor.Zeros(2, 3)], 2).Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Stack([Tensor.Zeros(2, 3)], 3));
    }

    [Fact]
    public void BadSplitSizesThrow()
    {
        var x = Tensor.Zeros(6, 2);
        Assert.Contains("6", Assert.Throws<ArgumentException>(() => x.Split([2, 3])).Message);
        Assert.Throws<ArgumentException>(() => x.Split([7, -1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Split(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Chunk(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Split(2, 2));
    }

    [Fact]
    public void ChunkMayReturnFewerPieces()
    {
        var pieces = Tensor.Arange(6).Chunk(4);
        Assert.Equal(3, pieces.Length);
        Assert.All(pieces, p => Assert.Equal(new Shape(2), p.Shape));
        Assert.Equal(3, Tensor.Zeros(0).Chunk(3).Length);
    }

    [Fact]
    public void SliceClampsLikePython()
    {
        var x = Tensor.Arange(5);
        Assert.Equal([0f, 1f, 2f], x.Slice(0, -10, 3).ToArray());
        Assert.Empty(x.Slice(0, 3, 1).ToArray());
        Assert.Equal([3f, 4f], x.Slice(0, -2, int.MaxValue).ToArray());
        Assert.Equal([1f, 4f], x.Slice(0, 1, 100, 3).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Slice(0, 0, 5, 0));
    }

    [Fact]
    public void NarrowOutOfRangeThrows()
    {
        var x = Tensor.Zeros(4, 6);
        Assert.Contains("(4, 6)", Assert.Throws<ArgumentOutOfRangeException>(() => x.Narrow(1, 4, 3)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Narrow(1, -7, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Narrow(1, 0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Narrow(2, 0, 1));
    }

    [Fact]
    public void IndexOutOfRangeThrows()
    {
        var x = Tensor.Zeros(3, 4);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => x.IndexSelect(1, 0, 4));
        Assert.Contains("4", error.Message);
        Assert.Contains("(3, 4)", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.IndexSelect(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.IndexSelect(0, Tensor.FromArray([3f])));
        Assert.Throws<ArgumentException>(() => x.IndexSelect(0, Tensor.FromArray([0.5f])));
        Assert.Throws<ArgumentException>(() => x.IndexSelect(0, Tensor.Zeros(1, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Gather(1, Tensor.FromArray([0f, 4f], 1, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Gather(1, Tensor.FromArray([-1f], 1, 1)));
        Assert.Throws<ArgumentException>(() => x.Gather(1, Tensor.FromArray([0f, 1f])));
        Assert.Contains("(5, 1)", Assert.Throws<ArgumentException>(() => x.Gather(1, Tensor.Zeros(5, 1))).Message);
    }

    [Fact]
    public void IndexSelectAccumulatesGradientOfRepeatedPositions()
    {
        var x = Tensor.FromArray([1f, 2f, 3f]).RequiresGradient();
        x.IndexSelect(0, 2, 2, 0).Sum().Backward();
        Assert.Equal([1f, 0f, 2f], x.Grad!.ToArray());
    }
}
