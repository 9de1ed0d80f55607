using System.Buffers;
using System.Numerics.Tensors;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// Single-precision GEMM: C = alpha * op(A) * op(B) + beta * C, row-major.
/// op(A) is m x k (A stored as m x k, or k x m when transposeA), op(B) is k x n (B stored as k x n,
/// or n x k when transposeB), C is m x n. lda/ldb/ldc are the row lengths of the stored matrices.
/// When beta is 0, C is only written (NaN or garbage already in C does not leak into the result).
/// </summary>
internal static class Gemm
{
    /// <summary>Plain triple loop accumulating in double: the reference that faster kernels are tested against.</summary>
    public static void Reference(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transposeA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                float previous = beta == 0 ? 0 : beta * c[i * ldc + j];
                c[i * ldc + j] = alpha * (float)sum + previous;
            }
        }
    }

    /// <summary>
    /// Same contract as <see cref="Reference"/>, faster but still simple: i-p-j loop order, so the inner
    /// loop is a vectorised row AXPY, C[i, :] += (alpha·op(A)[i, p]) · op(B)[p, :]
    /// (TensorPrimitives.MultiplyAdd), accumulating in float. When transposeB, B is first packed into a
    /// temporary k x n copy so that the rows of op(B) are contiguous.
    /// </summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        float[]? packed = null;
        if (transposeB && k > 0)
        {
            // B stored (n, k) -> packed (k, n).
            packed = ArrayPool<float>.Shared.Rent(k * n);
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++)
                    packed[p * n + j] = b[j * ldb + p];
            b = packed;
            ldb = n;
        }
        try
        {
            for (int i = 0; i < m; i++)
            {
                var row = c.Slice(i * ldc, n);
                if (beta == 0) row.Clear();
                else if (beta != 1) TensorPrimitives.Multiply(row, beta, row);
                for (int p = 0; p < k; p++)
                {
                    float coefficient = alpha * (transposeA ? a[p * lda + i] : a[i * lda + p]);
                    TensorPrimitives.MultiplyAdd(b.Slice(p * ldb, n), coefficient, row, row);
                }
            }
        }
        finally
        {
            if (packed is not null) ArrayPool<float>.Shared.Return(packed);
        }
    }
}
