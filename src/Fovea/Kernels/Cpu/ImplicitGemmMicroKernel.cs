using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// The micro-kernel of <see cref="Convolution.Implicit"/>: one tile of up to 6 output channels x Columns grid positions,
/// C[r, j] (+)= Σ_p a[r·lda + p] · b[offsets[p] + j] over p &lt; steps. A is read in place (weight rows, contiguous
/// along the taps); B is the padded input, tap p's run of positions starting at offsets[p]. Rows past
/// <c>rows</c> are computed from row 0 again and not stored. With accumulate false C is only written.
/// </summary>
internal interface IImplicitGemmKernel
{
    /// <summary>Grid positions per tile.</summary>
    static abstract int Columns { get; }

    static abstract unsafe void Run(float* a, nint lda, int rows, float* b, int* offsets, int steps, float* c, nint ldc, bool accumulate);
}

/// <summary>6 x 32 tile in 12 Vector512 accumulators: per tap two loads of B and six broadcasts of A feed 12 FMAs.</summary>
internal struct ImplicitGemmKernel6x32 : IImplicitGemmKernel
{
    public static int Columns => 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(float* a, nint lda, int rows, float* b, int* offsets, int steps, float* c, nint ldc, bool accumulate)
    {
        float* a0 = a, a1 = a + (rows > 1 ? lda : 0), a2 = a + (rows > 2 ? 2 * lda : 0);
        float* a3 = a + (rows > 3 ? 3 * lda : 0), a4 = a + (rows > 4 ? 4 * lda : 0), a5 = a + (rows > 5 ? 5 * lda : 0);
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < steps; p++)
        {
            float* source = b + offsets[p];
            var b0 = Vector512.Load(source);
            var b1 = Vector512.Load(source + 16);
            var x = Vector512.Create(a0[p]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a1[p]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a2[p]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[p]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4[p]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a5[p]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
        }
        Store(c, c00, c01, accumulate);
        if (rows > 1) Store(c + ldc, c10, c11, accumulate);
        if (rows > 2) Store(c + 2 * ldc, c20, c21, accumulate);
        if (rows > 3) Store(c + 3 * ldc, c30, c31, accumulate);
        if (rows > 4) Store(c + 4 * ldc, c40, c41, accumulate);
        if (rows > 5) Store(c + 5 * ldc, c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* c, Vector512<float> left, Vector512<float> right, bool accumulate)
    {
        if (accumulate)
        {
            left += Vector512.Load(c);
            right += Vector512.Load(c + 16);
        }
        left.Store(c);
        right.Store(c + 16);
    }
}

/// <summary>6 x 16 tile in 12 Vector256 accumulators: <see cref="ImplicitGemmKernel6x32"/> at half width (AVX2).</summary>
internal struct ImplicitGemmKernel6x16 : IImplicitGemmKernel
{
    public static int Columns => 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(float* a, nint lda, int rows, float* b, int* offsets, int steps, float* c, nint ldc, bool accumulate)
    {
        float* a0 = a, a1 = a + (rows > 1 ? lda : 0), a2 = a + (rows > 2 ? 2 * lda : 0);
        float* a3 = a + (rows > 3 ? 3 * lda : 0), a4 = a + (rows > 4 ? 4 * lda : 0), a5 = a + (rows > 5 ? 5 * lda : 0);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < steps; p++)
        {
            float* source = b + offsets[p];
            var b0 = Vector256.Load(source);
            var b1 = Vector256.Load(source + 8);
            var x = Vector256.Create(a0[p]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a1[p]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a2[p]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a3[p]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a4[p]);
            c40 = Vector256.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a5[p]);
            c50 = Vector256.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
        }
        Store(c, c00, c01, accumulate);
        if (rows > 1) Store(c + ldc, c10, c11, accumulate);
        if (rows > 2) Store(c + 2 * ldc, c20, c21, accumulate);
        if (rows > 3) Store(c + 3 * ldc, c30, c31, accumulate);
        if (rows > 4) Store(c + 4 * ldc, c40, c41, accumulate);
        if (rows > 5) Store(c + 5 * ldc, c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* c, Vector256<float> left, Vector256<float> right, bool accumulate)
    {
        if (accumulate)
        {
            left += Vector256.Load(c);
            right += Vector256.Load(c + 8);
        }
        left.Store(c);
        right.Store(c + 8);
    }
}

/// <summary>
/// Scalar tile for runtimes without hardware intrinsics, one output channel at a time in four accumulators (x64 has
/// 16 float registers). Correctness, not speed; products rounded then added (no fused multiply-add).
/// </summary>
internal struct ImplicitGemmKernelScalar : IImplicitGemmKernel
{
    public static int Columns => 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(float* a, nint lda, int rows, float* b, int* offsets, int steps, float* c, nint ldc, bool accumulate)
    {
        for (int r = 0; r < rows; r++)
        {
            float* weights = a + r * lda, row = c + r * ldc;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int p = 0; p < steps; p++)
            {
                float value = weights[p];
                float* source = b + offsets[p];
                s0 += value * source[0];
                s1 += value * source[1];
                s2 += value * source[2];
                s3 += value * source[3];
            }
            if (accumulate)
            {
                s0 += row[0]; s1 += row[1]; s2 += row[2]; s3 += row[3];
            }
            row[0] = s0; row[1] = s1; row[2] = s2; row[3] = s3;
        }
    }
}
