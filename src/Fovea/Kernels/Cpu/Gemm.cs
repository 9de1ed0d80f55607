namespace Fovea.Kernels.Cpu;

/// <summary>
/// Reference single-precision GEMM: C = alpha * op(A) * op(B) + beta * C, row-major.
/// op(A) is m x k, op(B) is k x n, C is m x n. lda/ldb/ldc are the row lengths of the stored
/// matrices. Plain loops, kept as the reference that fast kernels are tested against.
/// </summary>
internal static class Gemm
{
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
}
