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
    /// Same contract as <see cref="Reference"/>, fast: packed, cache-blocked, register-blocked SIMD
    /// micro-kernels (<see cref="GemmBlocked"/>), multithreaded over <see cref="CpuThreads"/> when the product
    /// is large enough; one- and two-row products go to <see cref="GemmFewRows"/>, thin A·Bᵀ products with a long shared
    /// dimension to <see cref="GemmRowDots"/>. Accumulates in float, so
    /// results differ from the reference by rounding only. Checks that every span holds the rows its leading
    /// dimension implies before touching memory (the fast path reads through pointers).
    /// </summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        RequireExtent(a.Length, transposeA ? k : m, transposeA ? m : k, lda, nameof(a));
        RequireExtent(b.Length, transposeB ? n : k, transposeB ? k : n, ldb, nameof(b));
        RequireExtent(c.Length, m, n, ldc, nameof(c));
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            // An empty sum: C = beta·C, and beta 0 clears (rather than scales) what C held.
            for (int i = 0; i < m; i++)
            {
                var row = c.Slice(i * ldc, n);
                if (beta == 0) row.Clear();
                else if (beta != 1) TensorPrimitives.Multiply(row, beta, row);
            }
            return;
        }
        if (m <= GemmFewRows.MaxRows)
            GemmFewRows.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else if (GemmRowDots.Pays(transposeA, transposeB, m, n, k))
            GemmRowDots.Multiply(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else
            GemmBlocked.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>Which micro-kernel <see cref="Multiply"/> uses in this process (set by the hardware and DOTNET_Enable* settings).</summary>
    public static GemmKernel ActiveKernel => GemmBlocked.ActiveKernel;

    /// <summary>A stored (rows, columns) matrix with row length ld must fit in the span: ld ≥ columns and (rows-1)·ld + columns elements.</summary>
    private static void RequireExtent(int length, int rows, int columns, int ld, string name)
    {
        if (rows == 0 || columns == 0) return;
        if (rows > 1 && ld < columns)
            throw new ArgumentOutOfRangeException("ld" + name, $"Leading dimension of {name} must be >= {columns}, got {ld}.");
        long needed = (long)(rows - 1) * ld + columns;
        if (length < needed)
            throw new ArgumentException($"Matrix {name} ({rows} x {columns}, leading dimension {ld}) needs {needed} elements, the span holds {length}.", name);
    }
}
