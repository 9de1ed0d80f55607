using Fovea.Kernels.Cpu;

namespace Fovea;

// torch.matmul (vectors, matrices, broadcast batches) and torch.bmm.
public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product with torch.matmul's rules:
    /// <list type="bullet">
    /// <item>(k) · (k) -> scalar (dot product);</item>
    /// <item>(m, k) · (k, n) -> (m, n); (m, k) · (k) -> (m); (k) · (k, n) -> (n);</item>
    /// <item>batched: (..., m, k) · (..., k, n) -> (..., m, n), the leading (batch) dimensions broadcast
    /// against each other, e.g. (2, 1, m, k) · (3, k, n) -> (2, 3, m, n). A 1-D operand is treated as a
    /// matrix with a size-1 dimension added (first for a, last for b) that is removed from the result.</item>
    /// </list>
    /// Differentiable in both operands.
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank == 0 || b.Rank == 0)
            throw new ArgumentException($"MatMul: both operands need at least one dimension, got shapes {a.Shape} and {b.Shape}.");
        // Vectors become matrices: a (k) -> (1, k), b (k) -> (k, 1).
        var left = a.Rank == 1 ? a.Unsqueeze(0) : a;
        var right = b.Rank == 1 ? b.Unsqueeze(1) : b;
        int m = left.Dim(-2), k = left.Dim(-1), n = right.Dim(-1);
        if (right.Dim(-2) != k)
            throw new ArgumentException($"MatMul: inner dimensions differ: a {a.Shape} has {k} columns, b {b.Shape} has {right.Dim(-2)} rows.");
        var batchA = left.Shape.Dims[..^2].ToArray();
        var batchB = right.Shape.Dims[..^2].ToArray();
        var batch = BroadcastBatch(batchA, batchB, a.Shape, b.Shape);

        Tensor product;
        if (right.Rank == 2)
        {
            // b has no batch: fold a's batch into its rows and run one 2-D product.
            int rows = batch.Aggregate(1, (x, y) => x * y) * m;
            product = MatMul2d(left.Reshape(rows, k), right).Reshape([.. batch, m, n]);
        }
        else
        {
            int count = batch.Aggregate(1, (x, y) => x * y);
            var left3 = left.ExpandIfNeeded([.. batch, m, k]).Reshape(count, m, k);
            var right3 = right.ExpandIfNeeded([.. batch, k, n]).Reshape(count, k, n);
            product = Bmm(left3, right3).Reshape([.. batch, m, n]);
        }
        // Drop the dimensions that were added to vectors.
        var dims = new List<int>(batch);
        if (a.Rank > 1) dims.Add(m);
        if (b.Rank > 1) dims.Add(n);
        return dims.Count == product.Rank ? product : product.Reshape([.. dims]);
    }

    /// <summary>
    /// Batched matrix product (torch.bmm): a (B, m, k) · b (B, k, n) -> (B, m, n), batch by batch with
    /// <see cref="Gemm.Multiply"/>. Differentiable in both operands.
    /// </summary>
    public static Tensor Bmm(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank != 3 || b.Rank != 3)
            throw new ArgumentException($"Bmm: a and b must be 3-D (B, m, k) and (B, k, n); got shapes {a.Shape} and {b.Shape}.");
        if (a.Shape[0] != b.Shape[0])
            throw new ArgumentException($"Bmm: batch sizes differ: a {a.Shape}, b {b.Shape}.");
        if (a.Shape[2] != b.Shape[1])
            throw new ArgumentException($"Bmm: inner dimensions differ: a {a.Shape} has {a.Shape[2]} columns, b {b.Shape} has {b.Shape[1]} rows.");
        return BatchedProduct(a, b, transposeA: false, transposeB: false);
    }

    /// <summary>
    /// op(a) · op(b) per batch, recorded; a stored (B, m, k) or (B, k, m) when transposeA, b stored
    /// (B, k, n) or (B, n, k) when transposeB. Shapes are checked by the callers.
    /// </summary>
    private static Tensor BatchedProduct(Tensor a, Tensor b, bool transposeA, bool transposeB)
    {
        int count = a.Shape[0];
        int m = transposeA ? a.Shape[2] : a.Shape[1], k = transposeA ? a.Shape[1] : a.Shape[2];
        int n = transposeB ? b.Shape[1] : b.Shape[2];
        var output = NewStorage(count * m * n);
        int sizeA = a.Shape[1] * a.Shape[2], sizeB = b.Shape[1] * b.Shape[2];
        for (int batch = 0; batch < count; batch++)
            Gemm.Multiply(transposeA, transposeB, m, n, k, 1f,
                a.data.AsSpan(batch * sizeA, sizeA), a.Shape[2], b.data.AsSpan(batch * sizeB, sizeB), b.Shape[2],
                0f, output.AsSpan(batch * m * n, m * n), n);
        var (sa, sb) = (a.Detach(), b.Detach());
        return Record(new Tensor(output, new Shape(count, m, n)), "bmm", [a, b], g => [
            // dA = g · op(B)ᵀ and dB = op(A)ᵀ · g, each produced in its operand's stored layout.
            a.RequiresGrad ? (transposeA ? BatchedProduct(sb, g, transposeB, true) : BatchedProduct(g, sb, false, !transposeB)) : null,
            b.RequiresGrad ? (transposeB ? BatchedProduct(g, sa, true, transposeA) : BatchedProduct(sa, g, !transposeA, false)) : null]);
    }

    /// <summary>Broadcast of two batch shapes; the error names the full operand shapes.</summary>
    private static int[] BroadcastBatch(int[] batchA, int[] batchB, Shape shapeA, Shape shapeB)
    {
        int rank = Math.Max(batchA.Length, batchB.Length);
        var batch = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - batchA.Length ? 1 : batchA[i - (rank - batchA.Length)];
            int db = i < rank - batchB.Length ? 1 : batchB[i - (rank - batchB.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"MatMul: batch dimensions of a {shapeA} and b {shapeB} cannot be broadcast ({da} vs {db}).");
            batch[i] = da == 1 ? db : da;
        }
        return batch;
    }

    private Tensor ExpandIfNeeded(int[] sizes) => Shape == new Shape(sizes) ? this : Expand(sizes);
}
