using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Ops;

/// <summary>torch.matmul semantics (vectors, matrices, broadcast batches) and bmm (tools/golden/tensor_ops.py).</summary>
public sealed class MatMulOpTests : OpCaseTests<MatMulOpTests>, IOpCatalogue
{
    public static string Group => "tensor_ops";

    public static IReadOnlyList<OpCase> Cases { get; } =
    [
        new("matmul_vv", x => Tensor.MatMul(x[0], x[1]), [[5], [5]]),
        new("matmul_mv", x => Tensor.MatMul(x[0], x[1]), [[3, 5], [5]]),
        new("matmul_vm", x => Tensor.MatMul(x[0], x[1]), [[5], [5, 4]]),
        new("matmul_mm", x => Tensor.MatMul(x[0], x[1]), [[3, 5], [5, 4]]),
        new("matmul_batched_by_matrix", x => Tensor.MatMul(x[0], x[1]), [[2, 3, 5, 4], [4, 6]]),
        new("matmul_matrix_by_batched", x => Tensor.MatMul(x[0], x[1]), [[3, 5], [2, 5, 4]]),
        new("matmul_broadcast_batch", x => Tensor.MatMul(x[0], x[1]), [[2, 1, 3, 5], [4, 5, 2]]),
        new("matmul_vector_by_batched", x => Tensor.MatMul(x[0], x[1]), [[5], [2, 5, 3]]),
        new("matmul_batched_by_vector", x => Tensor.MatMul(x[0], x[1]), [[2, 3, 5], [5]]),
        new("bmm", x => Tensor.Bmm(x[0], x[1]), [[3, 4, 5], [3, 5, 2]]),
    ];

    [Fact]
    public void InnerDimensionMismatchNamesBothShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Zeros(2, 3, 4), Tensor.Zeros(5, 6)));
        Assert.Contains("(2, 3, 4)", error.Message);
        Assert.Contains("(5, 6)", error.Message);
        error = Assert.Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Zeros(3), Tensor.Zeros(4)));
        Assert.Contains("(3)", error.Message);
        Assert.Contains("(4)", error.Message);
        error = Assert.Throws<ArgumentException>(() => Tensor.Bmm(Tensor.Zeros(2, 3, 4), Tensor.Zeros(2, 5, 6)));
        Assert.Contains("(2, 3, 4)", error.Message);
        Assert.Contains("(2, 5, 6)", error.Message);
    }

    [Fact]
    public void BadBatchesAndRanksThrow()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Zeros(2, 3, 4), Tensor.Zeros(3, 4, 5)));
        Assert.Contains("(2, 3, 4)", error.Message);
        Assert.Contains("(3, 4, 5)", error.Message);
        Assert.Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Scalar(1f), Tensor.Zeros(3)));
        Assert.Throws<ArgumentException>(() => Tensor.Bmm(Tensor.Zeros(2, 3, 4), Tensor.Zeros(3, 4, 5)));
        Assert.Throws<ArgumentException>(() => Tensor.Bmm(Tensor.Zeros(3, 4), Tensor.Zeros(4, 5)));
    }

    [Fact]
    public void EmptyInnerDimensionGivesZeros()
    {
        var product = Tensor.MatMul(Tensor.Zeros(2, 3, 0), Tensor.Zeros(2, 0, 4));
        Assert.Equal(new Shape(2, 3, 4), product.Shape);
        Assert.All(product.ToArray(), v => Assert.Equal(0f, v));
    }
}
