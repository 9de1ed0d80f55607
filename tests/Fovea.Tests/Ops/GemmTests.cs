using Fovea.Kernels.Cpu;

namespace Fovea.Tests.Ops;

/// <summary>Gemm.Multiply against the triple-loop Gemm.Reference (the exhaustive fast-kernel tests are in Kernels/GemmFastTests).</summary>
public sealed class GemmTests
{
    public static TheoryData<bool, bool, float> Variants()
    {
        var data = new TheoryData<bool, bool, float>();
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (float beta in new[] { 0f, 1f })
                    data.Add(ta, tb, beta);
        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void MultiplyMatchesReferenceOnEverySizeUpTo17(bool transposeA, bool transposeB, float beta)
    {
        var random = new Generator(5);
        var a = Values(random, 17 * 17);
        var b = Values(random, 17 * 17);
        var c0 = Values(random, 17 * 17);
        for (int m = 1; m <= 17; m++)
            for (int n = 1; n <= 17; n++)
                for (int k = 1; k <= 17; k++)
                {
                    // Stored shapes: A (m, k) or (k, m); B (k, n) or (n, k); C (m, n). Tight leading dimensions.
                    int lda = transposeA ? m : k, ldb = transposeB ? k : n;
                    Compare(transposeA, transposeB, m, n, k, 1f, a, lda, b, ldb, beta, c0, n);
                }
    }

    [Fact]
    public void MultiplyHonoursAlphaBetaAndLeadingDimensions()
    {
        var random = new Generator(9);
        var a = Values(random, 20 * 20);
        var b = Values(random, 20 * 20);
        var c = Values(random, 20 * 20);
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                // Submatrices of 20-wide storage: lda, ldb, ldc larger than the rows they hold.
                Compare(ta, tb, 7, 11, 13, -0.75f, a, 20, b, 20, 0.5f, c, 20);
    }

    [Fact]
    public void BetaZeroIgnoresWhatCHeld()
    {
        var a = new float[] { 1, 2, 3, 4 };
        var c = new float[] { float.NaN, float.NaN, float.NaN, float.NaN };
        Gemm.Multiply(false, false, 2, 2, 2, 1f, a, 2, a, 2, 0f, c, 2);
        Assert.Equal([7f, 10f, 15f, 22f], c);
    }

    private static void Compare(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float[] a, int lda, float[] b, int ldb, float beta, float[] c0, int ldc)
    {
        var expected = (float[])c0.Clone();
        var actual = (float[])c0.Clone();
        Gemm.Reference(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
        Gemm.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, actual, ldc);
        // Float accumulation vs double: error bounded by ~k·eps·Σ|alpha·a·b| + |beta·c|; allow 10x that.
        var magnitude = c0.Select(Math.Abs).ToArray();
        Gemm.Reference(transposeA, transposeB, m, n, k, Math.Abs(alpha), a.Select(Math.Abs).ToArray(), lda,
            b.Select(Math.Abs).ToArray(), ldb, Math.Abs(beta), magnitude, ldc);
        for (int i = 0; i < c0.Length; i++)
        {
            bool inside = i / ldc < m && i % ldc < n;
            if (!inside)
            {
                Assert.Equal(c0[i], actual[i]); // outside the m x n block nothing is written
                continue;
            }
            double tolerance = 1e-6 + 1e-5 * magnitude[i];
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
                Assert.Fail($"transposeA={transposeA} transposeB={transposeB} m={m} n={n} k={k} beta={beta}: C[{i / ldc}, {i % ldc}] = {actual[i]}, reference {expected[i]}.");
        }
    }

    private static float[] Values(Generator random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)random.NextNormal();
        return values;
    }
}
