using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Fovea.Kernels.Cpu;
using Xunit.Abstractions;

namespace Fovea.Tests.Kernels;

/// <summary>
/// The fast GEMM (Gemm.Multiply: packed panels, SIMD micro-kernels, threads) against the naive
/// Gemm.Reference. CI re-runs these with DOTNET_EnableAVX512=0 and DOTNET_EnableHWIntrinsic=0, so every
/// micro-kernel tier is checked; <see cref="ActiveKernelIsTheTierThisRuntimeAllows"/> proves which one ran.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public sealed class GemmFastTests(ITestOutputHelper output)
{
    /// <summary>Sizes each dimension is paired with: 1, a partial 6-row tile, and one exact and one partial 32-column tile.</summary>
    private static readonly int[] OtherSizes = [1, 7, 32, 33];

    /// <summary>alpha, beta and the extra row length (lda/ldb/ldc = width + padding) the grid cases rotate through.</summary>
    private static readonly (float Alpha, float Beta, int Padding)[] Variants =
        [(1f, 0f, 0), (1f, 1f, 0), (-0.75f, 0.5f, 3), (2f, 0f, 1), (0.5f, -1f, 2)];

    public static TheoryData<bool, bool, int> TransposesAndDimension()
    {
        var data = new TheoryData<bool, bool, int>();
        foreach (bool transposeA in new[] { false, true })
            foreach (bool transposeB in new[] { false, true })
                for (int dimension = 0; dimension < 3; dimension++)
                    data.Add(transposeA, transposeB, dimension);
        return data;
    }

    public static TheoryData<bool, bool> Transposes()
    {
        var data = new TheoryData<bool, bool>();
        foreach (bool transposeA in new[] { false, true })
            foreach (bool transposeB in new[] { false, true })
                data.Add(transposeA, transposeB);
        return data;
    }

    /// <summary>
    /// Every size 1..33 (= 2 x 16-float vector width + 1) of m, n or k against each combination of
    /// <see cref="OtherSizes"/> in the other two: full and partial tiles of every kernel tier (6x32, 6x16, 6x4).
    /// </summary>
    [Theory]
    [MemberData(nameof(TransposesAndDimension))]
    public void EverySizeUpTo33InOneDimensionMatchesReference(bool transposeA, bool transposeB, int dimension)
    {
        int variant = 0;
        for (int size = 1; size <= 33; size++)
            foreach (int first in OtherSizes)
                foreach (int second in OtherSizes)
                {
                    var (m, n, k) = dimension switch
                    {
                        0 => (size, first, second),
                        1 => (first, size, second),
                        _ => (first, second, size),
                    };
                    var (alpha, beta, padding) = Variants[variant++ % Variants.Length];
                    Check(transposeA, transposeB, m, n, k, alpha, beta, padding, seed: (ulong)(size * 1000 + first * 40 + second));
                }
    }

    /// <summary>Multiple micro-panels in every direction and a parallel split (9.9 M multiply-adds), rows not a multiple of 6, columns not of 32.</summary>
    [Theory]
    [MemberData(nameof(Transposes))]
    public void LargeProductMatchesReference(bool transposeA, bool transposeB)
    {
        Check(transposeA, transposeB, 257, 129, 300, -0.5f, 0.25f, padding: 5, seed: 1);
        Check(transposeA, transposeB, 257, 129, 300, 1f, 0f, padding: 0, seed: 2);
    }

    /// <summary>k = 800 spans three depth blocks (C accumulates across them; beta applies once).</summary>
    [Theory]
    [MemberData(nameof(Transposes))]
    public void DeepProductMatchesReference(bool transposeA, bool transposeB) =>
        Check(transposeA, transposeB, 67, 45, 800, 1.5f, -0.5f, padding: 2, seed: 3);

    /// <summary>m = 1601 needs two row blocks; n = 70 is too narrow to split by columns, so rows are split too.</summary>
    [Theory]
    [MemberData(nameof(Transposes))]
    public void TallNarrowProductMatchesReference(bool transposeA, bool transposeB) =>
        Check(transposeA, transposeB, 1601, 70, 20, 1f, 0f, padding: 1, seed: 4);

    /// <summary>Few rows, many columns: tasks are column ranges; the last one is partial.</summary>
    [Theory]
    [MemberData(nameof(Transposes))]
    public void WideProductMatchesReference(bool transposeA, bool transposeB) =>
        Check(transposeA, transposeB, 13, 2000, 100, 1f, 1f, padding: 0, seed: 5);

    /// <summary>One and two rows of C (the few-rows path, no packing) with long rows and a long k.</summary>
    [Theory]
    [MemberData(nameof(Transposes))]
    public void OneOrTwoRowProductsMatchReference(bool transposeA, bool transposeB)
    {
        Check(transposeA, transposeB, 1, 1000, 512, 1f, 0f, padding: 3, seed: 8);
        Check(transposeA, transposeB, 2, 300, 700, -2f, 0.5f, padding: 0, seed: 9);
        Check(transposeA, transposeB, 2, 1001, 97, 1f, 1f, padding: 2, seed: 11); // split by columns, odd ranges
        Check(transposeA, transposeB, 3, 300, 700, 1f, 1f, padding: 1, seed: 10); // the first size that packs
    }

    /// <summary>
    /// Thin A·Bᵀ products with a long k (a small convolution's weight gradient) take the row-dot path: every row count
    /// 3..9 of A and 1..9 of B (partial 4 x 4 blocks), k with and without a vector tail, alpha, beta and padding.
    /// </summary>
    [Fact]
    public void ThinProductsWithLongDepthMatchReference()
    {
        int variant = 0;
        foreach (int k in new[] { 64, 79, 1601 })
            for (int m = 3; m <= 9; m++)
                for (int n = 1; n <= 9; n++)
                {
                    Assert.True(GemmRowDots.Pays(false, true, m, n, k));
                    var (alpha, beta, padding) = Variants[variant++ % Variants.Length];
                    Check(false, true, m, n, k, alpha, beta, padding, seed: (ulong)(k * 100 + m * 10 + n));
                }
    }

    /// <summary>LeNet's weight-gradient shapes (C_out x taps x positions), large enough to split over 1 to 4 threads.</summary>
    [Fact]
    public void ThinProductsSplitOverThreadsMatchReference()
    {
        int saved = CpuThreads.Count;
        try
        {
            for (int threads = 1; threads <= 4; threads++)
            {
                CpuThreads.Count = threads;
                Assert.True(GemmRowDots.Pays(false, true, 16, 150, 1600) && GemmRowDots.Pays(false, true, 6, 25, 8624));
                Check(false, true, 16, 150, 1600, 1f, 1f, padding: 0, seed: 30);
                Check(false, true, 6, 25, 8624, 1f, 0f, padding: 3, seed: 31);
            }
        }
        finally { CpuThreads.Count = saved; }
    }

    /// <summary>The same products with 1 to 4 threads: odd task counts and splits that do not divide evenly.</summary>
    [Fact]
    public void ResultDoesNotDependOnTheThreadCount()
    {
        int saved = CpuThreads.Count;
        try
        {
            for (int threads = 1; threads <= 4; threads++)
            {
                CpuThreads.Count = threads;
                Check(false, false, 100, 500, 64, 1f, 0f, padding: 0, seed: 6);
                Check(true, true, 500, 40, 120, 1f, 0.5f, padding: 3, seed: 7);
            }
        }
        finally { CpuThreads.Count = saved; }
    }

    /// <summary>GEMMs called from inside a parallel region (as a convolution over a batch would) run whole on their thread.</summary>
    [Fact]
    public void ProductsInsideAParallelRegionMatchReference() =>
        CpuThreads.For(4, task => Check(task % 2 == 1, task / 2 == 1, 150, 200, 90, 1f, 0.5f, padding: 1, seed: 20 + (ulong)task));

    [Fact]
    public void EmptyDepthScalesC()
    {
        var c = new[] { 1f, 2f, 3f, 4f };
        Gemm.Multiply(false, false, 2, 2, 0, 1f, [], 0, [], 2, 0.5f, c, 2);
        Assert.Equal([0.5f, 1f, 1.5f, 2f], c);
        var nan = new[] { float.NaN, float.NaN };
        Gemm.Multiply(false, false, 1, 2, 0, 1f, [], 0, [], 2, 0f, nan, 2);
        Assert.Equal([0f, 0f], nan);
    }

    [Fact]
    public void SpansTooShortForTheirShapeAreRejected()
    {
        var a = new float[6];
        var b = new float[6];
        var c = new float[4];
        // A is 2 x 3 with lda 3: 6 elements; lda 4 would need 7.
        var error = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 4, b, 2, 0f, c, 2));
        Assert.Equal("a", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, true, 2, 2, 3, 1f, a, 3, b, 4, 0f, c, 2));
        Assert.Equal("b", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 3));
        Assert.Equal("c", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 2, b, 2, 0f, c, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, -1, 2, 3, 1f, a, 3, b, 2, 0f, c, 2));
    }

    /// <summary>
    /// The micro-kernel follows what the runtime allows, so the CI re-runs with AVX-512 or all intrinsics
    /// switched off really exercise the 6x16 and scalar kernels. CI names the tier it expects in
    /// FOVEA_EXPECT_GEMM_KERNEL, which makes this test fail if a DOTNET_Enable* setting stops having effect.
    /// </summary>
    [Fact]
    public void ActiveKernelIsTheTierThisRuntimeAllows()
    {
        var expected = Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? GemmKernel.Vector512
            : Vector256.IsHardwareAccelerated && Fma.IsSupported ? GemmKernel.Vector256
            : GemmKernel.Scalar;
        output.WriteLine($"GEMM micro-kernel: {Gemm.ActiveKernel}");
        Assert.Equal(expected, Gemm.ActiveKernel);
        var demanded = Environment.GetEnvironmentVariable("FOVEA_EXPECT_GEMM_KERNEL");
        if (!string.IsNullOrEmpty(demanded))
            Assert.Equal(Enum.Parse<GemmKernel>(demanded), Gemm.ActiveKernel);
    }

    /// <summary>
    /// Runs fast and reference GEMM on the same random operands, stored with row length width + padding,
    /// and compares every element of C. With beta 0, C starts as NaN (it must be ignored); the padding
    /// columns of C hold values that must come back untouched.
    /// </summary>
    private static void Check(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float beta, int padding, ulong seed)
    {
        var random = new Generator(seed);
        int lda = (transposeA ? m : k) + padding, ldb = (transposeB ? k : n) + padding, ldc = n + padding;
        var a = Values(random, (transposeA ? k : m) * lda);
        var b = Values(random, (transposeB ? n : k) * ldb);
        var c = Values(random, m * ldc);
        if (beta == 0)
            for (int i = 0; i < m; i++) c.AsSpan(i * ldc, n).Fill(float.NaN);

        var expected = (float[])c.Clone();
        var actual = (float[])c.Clone();
        Gemm.Reference(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
        Gemm.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, actual, ldc);

        // Tolerance. Whatever order a float sum of k products is taken in (blocked, vectorised, fused), its
        // error is at most about k·u·Σ|terms|, u = 2^-24; scaling by alpha and adding beta·C add ~3u more and the
        // double-accumulated reference rounds once: (k + 4)·u·(|alpha|·Σ|a·b| + |beta·c|), doubled for the
        // second-order terms. This is a worst-case bound, so the test cannot fail by bad luck, yet a single
        // misplaced, dropped or doubled product is off by a sizeable fraction of the magnitude and fails.
        var magnitude = Absolute(c);
        Gemm.Reference(transposeA, transposeB, m, n, k, Math.Abs(alpha), Absolute(a), lda, Absolute(b), ldb,
            Math.Abs(beta), magnitude, ldc);
        double unit = Math.Pow(2, -24);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                int index = i * ldc + j;
                if (j >= n)
                {
                    Assert.Equal(c[index], actual[index]); // padding columns are never written
                    continue;
                }
                double tolerance = 2 * (k + 4) * unit * magnitude[index] + 1e-30;
                if (!(Math.Abs(expected[index] - actual[index]) <= tolerance))
                    Assert.Fail($"transposeA={transposeA} transposeB={transposeB} m={m} n={n} k={k} alpha={alpha} beta={beta} " +
                                $"padding={padding} kernel={Gemm.ActiveKernel}: C[{i}, {j}] = {actual[index]}, reference {expected[index]} (tolerance {tolerance:g3}).");
            }
        }
    }

    private static float[] Absolute(float[] values) => values.Select(Math.Abs).ToArray();

    private static float[] Values(Generator random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)random.NextNormal();
        return values;
    }
}
