using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// GEMM for products with at most <see cref="MaxRows"/> rows of C (a vector times a matrix: a Linear layer
/// or a matmul on one sample). There, packing B costs as much as the product itself and a 6-row tile would
/// be mostly padding, so each row of C is computed straight from the stored operands: dot products with
/// B's stored rows when B is transposed, otherwise a sum of B's rows scaled by A's entries. Same contract as
/// <see cref="Gemm.Multiply"/>. These products are bound by reading B once; a large B (ResNet's 1000 x 512
/// classifier at batch 1) is split by columns of C over the workers, so that each reads its own part of B.
/// </summary>
internal static unsafe class GemmFewRows
{
    public const int MaxRows = 2;

    /// <summary>Fewest multiply-adds (m·n·k) worth splitting over workers: a 256 KiB B.</summary>
    private const long ParallelThreshold = 1L << 16;

    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        int tasks = (long)m * n * k < ParallelThreshold ? 1 : Math.Min(CpuThreads.Available, n / 16);
        if (tasks <= 1)
        {
            Columns(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 0, n);
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
        {
            // The spans are pinned for the whole parallel region; each task rebuilds them from the addresses.
            nint addressA = (nint)pa, addressB = (nint)pb, addressC = (nint)pc;
            int lengthA = a.Length, lengthB = b.Length, lengthC = c.Length;
            CpuThreads.For(tasks, task =>
            {
                var (start, end) = WorkSplit.Range(n, tasks, task);
                Columns(transposeA, transposeB, m, n, k, alpha, new ReadOnlySpan<float>((float*)addressA, lengthA), lda,
                    new ReadOnlySpan<float>((float*)addressB, lengthB), ldb, beta, new Span<float>((float*)addressC, lengthC), ldc, start, end);
            });
        }
    }

    /// <summary>Columns [start, end) of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Columns(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, int start, int end)
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
                var cRow = c.Slice(i * ldc + start, end - start);
                if (transposeB)
                {
                    // C[i, j] = alpha · (op(A) row i · B stored row j) + beta · C[i, j].
                    for (int j = start; j < end; j++)
                    {
                        float dot = alpha * TensorPrimitives.Dot(aRow, b.Slice(j * ldb, k));
                        cRow[j - start] = beta == 0 ? dot : dot + beta * cRow[j - start];
                    }
                    continue;
                }
                // C row i = beta · C row i + Σ_p (alpha · op(A)[i, p]) · B row p.
                if (beta == 0) cRow.Clear();
                else if (beta != 1) TensorPrimitives.Multiply(cRow, beta, cRow);
                for (int p = 0; p < k; p++)
                    TensorPrimitives.MultiplyAdd(b.Slice(p * ldb + start, end - start), alpha * aRow[p], cRow, cRow);
            }
        }
        finally
        {
            if (column is not null) ArrayPool<float>.Shared.Return(column);
        }
    }
}
