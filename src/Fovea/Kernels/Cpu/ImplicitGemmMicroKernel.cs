using System.Runtime.CompilerServices;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// The micro-kernel of <see cref="Convolution.Implicit"/>: one tile of up to 6 output channels x <see cref="Columns"/>
/// grid positions, C[r, j] (+)= Σ_p a[r·lda + p] · b[offsets[p] + j] over p &lt; steps. A is read in place (weight rows,
/// contiguous along the taps); B is the padded input, tap p's run of positions starting at offsets[p]. Two vectors of
/// lanes per row: 12 accumulators; per tap two loads of B and six broadcasts of A feed 12 multiply-adds (a 6 x 32 tile
/// with Vector512, 6 x 16 with Vector256, 6 x 2 in scalar registers without SIMD). Rows past <c>rows</c> are computed
/// from row 0 again and not stored. With accumulate false C is only written.
/// </summary>
internal static class ImplicitGemmKernel<TLanes, TVector> where TLanes : struct, ILanes<TVector> where TVector : struct
{
    public static int Columns => 2 * TLanes.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(float* a, nint lda, int rows, float* b, int* offsets, int steps, float* c, nint ldc, bool accumulate)
    {
        int width = TLanes.Count;
        float* a0 = a, a1 = a + (rows > 1 ? lda : 0), a2 = a + (rows > 2 ? 2 * lda : 0);
        float* a3 = a + (rows > 3 ? 3 * lda : 0), a4 = a + (rows > 4 ? 4 * lda : 0), a5 = a + (rows > 5 ? 5 * lda : 0);
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TVector c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < steps; p++)
        {
            float* source = b + offsets[p];
            var b0 = TLanes.Load(source);
            var b1 = TLanes.Load(source + width);
            var x = TLanes.Broadcast(a0[p]);
            c00 = TLanes.MultiplyAdd(x, b0, c00);
            c01 = TLanes.MultiplyAdd(x, b1, c01);
            x = TLanes.Broadcast(a1[p]);
            c10 = TLanes.MultiplyAdd(x, b0, c10);
            c11 = TLanes.MultiplyAdd(x, b1, c11);
            x = TLanes.Broadcast(a2[p]);
            c20 = TLanes.MultiplyAdd(x, b0, c20);
            c21 = TLanes.MultiplyAdd(x, b1, c21);
            x = TLanes.Broadcast(a3[p]);
            c30 = TLanes.MultiplyAdd(x, b0, c30);
            c31 = TLanes.MultiplyAdd(x, b1, c31);
            x = TLanes.Broadcast(a4[p]);
            c40 = TLanes.MultiplyAdd(x, b0, c40);
            c41 = TLanes.MultiplyAdd(x, b1, c41);
            x = TLanes.Broadcast(a5[p]);
            c50 = TLanes.MultiplyAdd(x, b0, c50);
            c51 = TLanes.MultiplyAdd(x, b1, c51);
        }
        Store(c, c00, c01, accumulate);
        if (rows > 1) Store(c + ldc, c10, c11, accumulate);
        if (rows > 2) Store(c + 2 * ldc, c20, c21, accumulate);
        if (rows > 3) Store(c + 3 * ldc, c30, c31, accumulate);
        if (rows > 4) Store(c + 4 * ldc, c40, c41, accumulate);
        if (rows > 5) Store(c + 5 * ldc, c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* c, TVector left, TVector right, bool accumulate)
    {
        int width = TLanes.Count;
        if (accumulate)
        {
            left = TLanes.Add(left, TLanes.Load(c));
            right = TLanes.Add(right, TLanes.Load(c + width));
        }
        TLanes.Store(left, c);
        TLanes.Store(right, c + width);
    }
}
