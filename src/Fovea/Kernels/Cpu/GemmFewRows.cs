using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// GEMM for products with at most <see cref="MaxRows"/> rows of C (a vector times a matrix: a Linear layer
/// or a matmul on one sample). There, packing B costs as much as the product itself and a 6-row tile would
/// be mostly padding, so each row of C is computed straight from the stored operands: dot products with
/// B's stored rows when B is transposed, otherwise a sum of B's rows scaled by A's entries. Same contract as
/// <see cref="Gemm.Multiply"/>; single-threaded (these products are bound by reading B once).
/// </summary>
internal static class GemmFewRows
{
    public const int MaxRows = 2;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        // A stored transposed holds row i of op(A) as a column (stride lda): gather it once per row.
        float[]? column = transposeA ? ArrayPool<float>.Shared.Rent(k) : null;
        try
        {
            for (int i = 0; i < m; i++)
            {
                ReadOnlySpan<float> aRow;
                if (column is null)
                {
                    aRow = a.Slice(i * lda, k);
                }
                else
                {
                    for (int p = 0; p < k; p++) column[p] = a[p * lda + i];
                    aRow = column.AsSpan(0, k);
                }
                var cRow = c.Slice(i * ldc, n);
                if (transposeB)
                {
                    // C[i, j] = alpha · (op(A) row i · B stored row j) + beta · C[i, j].
                    for (int j = 0; j < n; j++)
                    {
                        float dot = alpha * TensorPrimitives.Dot(aRow, b.Slice(j * ldb, k));
                        cRow[j] = beta == 0 ? dot : dot + beta * cRow[j];
                    }
                    continue;
                }
                // C row i = beta · C row i + Σ_p (alpha · op(A)[i, p]) · B row p.
                if (beta == 0) cRow.Clear();
                else if (beta != 1) TensorPrimitives.Multiply(cRow, beta, cRow);
                for (int p = 0; p < k; p++)
                    TensorPrimitives.MultiplyAdd(b.Slice(p * ldb, n), alpha * aRow[p], cRow, cRow);
            }
        }
        finally
        {
            if (column is not null) ArrayPool<float>.Shared.Return(column);
        }
    }
}
