using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// GEMM for C = alpha·A·Bᵀ + beta·C with few rows of A and of B and a long shared dimension: A (m × k) and B (n × k)
/// are both read along their stored rows, so every C[i, j] is a dot product of two contiguous rows and nothing is
/// packed. That is the shape of a small convolution's weight gradient (C_out × taps, summed over thousands of output
/// positions), where the blocked GEMM would spend more time gathering Bᵀ into panels than multiplying.
/// <para>Blocks of <see cref="BlockRows"/> rows of A by <see cref="BlockRows"/> rows of B keep 16 vector accumulators:
/// per step along k, 8 vector loads feed 16 fused multiply-adds. Edge blocks repeat the last valid row (its
/// results are discarded) so that the inner loop has no branches. Vector512 where accelerated, else Vector256, else
/// scalar; same contract as <see cref="Gemm.Multiply"/>.</para>
/// </summary>
internal static class GemmRowDots
{
    private const int BlockRows = 4;

    /// <summary>Below this many multiply-adds a product runs on the calling thread alone.</summary>
    private const long ParallelThreshold = 1L << 21;

    /// <summary>
    /// Whether this path beats the blocked GEMM: A·Bᵀ with both operands thin (their packing would dominate) and a
    /// shared dimension long enough to amortise the horizontal sums of the accumulators.
    /// </summary>
    public static bool Pays(bool transposeA, bool transposeB, int m, int n, int k) =>
        !transposeA && transposeB && m <= 32 && n <= 256 && k >= 4 * Math.Max(m, n) && k >= 64;

    /// <summary>Arguments are already validated by <see cref="Gemm.Multiply"/>; m, n, k ≥ 1, A and B not transposed / transposed.</summary>
    public static void Multiply(int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        int columnBlocks = (n + BlockRows - 1) / BlockRows;
        int tasks = (long)m * n * k < ParallelThreshold ? 1 : Math.Min(CpuThreads.Available, columnBlocks);
        if (tasks <= 1)
        {
            Blocks(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 0, n);
            return;
        }
        unsafe
        {
            // Spans cannot enter the parallel body; the caller's spans stay pinned for the whole call.
            fixed (float* pa = a, pb = b, pc = c)
            {
                var (aAddress, bAddress, cAddress) = ((nint)pa, (nint)pb, (nint)pc);
                var (aLength, bLength, cLength) = (a.Length, b.Length, c.Length);
                CpuThreads.For(tasks, task =>
                {
                    var (first, end) = WorkSplit.Range(columnBlocks, tasks, task);
                    Blocks(m, n, k, alpha, new ReadOnlySpan<float>((float*)aAddress, aLength), lda,
                        new ReadOnlySpan<float>((float*)bAddress, bLength), ldb, beta,
                        new Span<float>((float*)cAddress, cLength), ldc, first * BlockRows, Math.Min(n, end * BlockRows));
                });
            }
        }
    }

    /// <summary>Columns [firstColumn, endColumn) of C (rows of B), every row of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocks(int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, int firstColumn, int endColumn)
    {
        Span<float> sums = stackalloc float[BlockRows * BlockRows];
        for (int column = firstColumn; column < endColumn; column += BlockRows)
            for (int row = 0; row < m; row += BlockRows)
            {
                if (Vector512.IsHardwareAccelerated) Block<Lanes512, Vector512<float>>(a, lda, row, m, b, ldb, column, n, k, sums);
                else if (Vector256.IsHardwareAccelerated) Block<Lanes256, Vector256<float>>(a, lda, row, m, b, ldb, column, n, k, sums);
                else Block<Lane, float>(a, lda, row, m, b, ldb, column, n, k, sums);
                int rows = Math.Min(BlockRows, m - row), columns = Math.Min(BlockRows, endColumn - column);
                for (int r = 0; r < rows; r++)
                    for (int j = 0; j < columns; j++)
                    {
                        ref float target = ref c[(row + r) * ldc + column + j];
                        float product = alpha * sums[r * BlockRows + j];
                        target = beta == 0 ? product : product + beta * target;
                    }
            }
    }

    /// <summary>
    /// sums[r·4 + j] = Σ_p A[row + r, p]·B[column + j, p] for a 4 × 4 block; rows past m (columns past n) repeat the
    /// last valid one. Vector lanes first, then the tail of k one element at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block<TLanes, TVector>(ReadOnlySpan<float> a, int lda, int row, int m, ReadOnlySpan<float> b, int ldb, int column, int n,
        int k, Span<float> sums) where TLanes : struct, ILanes<TVector> where TVector : struct
    {
        ref float aStart = ref MemoryMarshal.GetReference(a);
        ref float bStart = ref MemoryMarshal.GetReference(b);
        ref float a0 = ref Unsafe.Add(ref aStart, row * lda);
        ref float a1 = ref Unsafe.Add(ref aStart, Math.Min(row + 1, m - 1) * lda);
        ref float a2 = ref Unsafe.Add(ref aStart, Math.Min(row + 2, m - 1) * lda);
        ref float a3 = ref Unsafe.Add(ref aStart, Math.Min(row + 3, m - 1) * lda);
        ref float b0 = ref Unsafe.Add(ref bStart, column * ldb);
        ref float b1 = ref Unsafe.Add(ref bStart, Math.Min(column + 1, n - 1) * ldb);
        ref float b2 = ref Unsafe.Add(ref bStart, Math.Min(column + 2, n - 1) * ldb);
        ref float b3 = ref Unsafe.Add(ref bStart, Math.Min(column + 3, n - 1) * ldb);
        TVector s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        TVector s20 = default, s21 = default, s22 = default, s23 = default, s30 = default, s31 = default, s32 = default, s33 = default;
        int p = 0;
        for (; p <= k - TLanes.Count; p += TLanes.Count)
        {
            nuint at = (nuint)p;
            var (x0, x1, x2, x3) = (TLanes.Load(ref a0, at), TLanes.Load(ref a1, at), TLanes.Load(ref a2, at), TLanes.Load(ref a3, at));
            var y = TLanes.Load(ref b0, at);
            (s00, s10, s20, s30) = (TLanes.MultiplyAdd(x0, y, s00), TLanes.MultiplyAdd(x1, y, s10), TLanes.MultiplyAdd(x2, y, s20), TLanes.MultiplyAdd(x3, y, s30));
            y = TLanes.Load(ref b1, at);
            (s01, s11, s21, s31) = (TLanes.MultiplyAdd(x0, y, s01), TLanes.MultiplyAdd(x1, y, s11), TLanes.MultiplyAdd(x2, y, s21), TLanes.MultiplyAdd(x3, y, s31));
            y = TLanes.Load(ref b2, at);
            (s02, s12, s22, s32) = (TLanes.MultiplyAdd(x0, y, s02), TLanes.MultiplyAdd(x1, y, s12), TLanes.MultiplyAdd(x2, y, s22), TLanes.MultiplyAdd(x3, y, s32));
            y = TLanes.Load(ref b3, at);
            (s03, s13, s23, s33) = (TLanes.MultiplyAdd(x0, y, s03), TLanes.MultiplyAdd(x1, y, s13), TLanes.MultiplyAdd(x2, y, s23), TLanes.MultiplyAdd(x3, y, s33));
        }
        (sums[0], sums[1], sums[2], sums[3]) = (TLanes.Sum(s00), TLanes.Sum(s01), TLanes.Sum(s02), TLanes.Sum(s03));
        (sums[4], sums[5], sums[6], sums[7]) = (TLanes.Sum(s10), TLanes.Sum(s11), TLanes.Sum(s12), TLanes.Sum(s13));
        (sums[8], sums[9], sums[10], sums[11]) = (TLanes.Sum(s20), TLanes.Sum(s21), TLanes.Sum(s22), TLanes.Sum(s23));
        (sums[12], sums[13], sums[14], sums[15]) = (TLanes.Sum(s30), TLanes.Sum(s31), TLanes.Sum(s32), TLanes.Sum(s33));
        for (; p < k; p++)
        {
            float x0 = Unsafe.Add(ref a0, p), x1 = Unsafe.Add(ref a1, p), x2 = Unsafe.Add(ref a2, p), x3 = Unsafe.Add(ref a3, p);
            float y0 = Unsafe.Add(ref b0, p), y1 = Unsafe.Add(ref b1, p), y2 = Unsafe.Add(ref b2, p), y3 = Unsafe.Add(ref b3, p);
            sums[0] += x0 * y0; sums[1] += x0 * y1; sums[2] += x0 * y2; sums[3] += x0 * y3;
            sums[4] += x1 * y0; sums[5] += x1 * y1; sums[6] += x1 * y2; sums[7] += x1 * y3;
            sums[8] += x2 * y0; sums[9] += x2 * y1; sums[10] += x2 * y2; sums[11] += x2 * y3;
            sums[12] += x3 * y0; sums[13] += x3 * y1; sums[14] += x3 * y2; sums[15] += x3 * y3;
        }
    }
}
