using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// A register-blocked GEMM micro-kernel: it computes one Rows x Columns tile of C from a packed A
/// micro-panel and a packed B micro-panel (layouts in <see cref="GemmPacking"/>):
/// C[r, j] = alpha · Σ_p A[p·Rows + r] · B[p·Columns + j] + beta · C[r, j], with C row-major of row
/// length ldc. beta == 0 means C is only written (NaN already in C does not leak through).
/// Implementations are structs so that the blocked driver, generic over them, is compiled once per
/// kernel with Rows and Columns as constants.
/// </summary>
internal interface IGemmMicroKernel
{
    /// <summary>Rows of the C tile (rows of op(A) per packed A micro-panel).</summary>
    static abstract int Rows { get; }

    /// <summary>Columns of the C tile (columns of op(B) per packed B micro-panel).</summary>
    static abstract int Columns { get; }

    static abstract unsafe void Run(float* a, float* b, int depth, float* c, nint ldc, float alpha, float beta);
}

/// <summary>Helpers shared by the SIMD micro-kernels.</summary>
internal static class GemmTile
{
    /// <summary>
    /// Asks for the six rows of a C tile (each <paramref name="lines"/> 64-byte lines) before the k loop, so
    /// that the cache misses on C (rows ldc apart, rarely cached) overlap the arithmetic instead of
    /// stalling the final load/store.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch(float* c, nint ldc, int lines)
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < 6; r++)
            for (int line = 0; line < lines; line++)
                Sse.Prefetch0(c + r * ldc + line * 16);
    }
}

/// <summary>Which micro-kernel the fast GEMM uses on this machine and runtime configuration.</summary>
internal enum GemmKernel
{
    /// <summary>6x4 tile in scalar registers: hardware intrinsics are off (DOTNET_EnableHWIntrinsic=0).</summary>
    Scalar,

    /// <summary>6x16 tile, 12 Vector256 accumulators, FMA: AVX2 machines or DOTNET_EnableAVX512=0.</summary>
    Vector256,

    /// <summary>6x32 tile, 12 Vector512 accumulators, FMA: AVX-512 machines.</summary>
    Vector512,
}

/// <summary>
/// 6x32 tile: 12 Vector512 accumulators (two per row). Per k step: two vector loads of packed B and six
/// broadcasts of packed A feeding 12 FMAs; 12 + 2 + 1 of the 32 zmm registers are live.
/// </summary>
internal struct GemmKernel6x32 : IGemmMicroKernel
{
    public static int Rows => 6;
    public static int Columns => 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(float* a, float* b, int depth, float* c, nint ldc, float alpha, float beta)
    {
        GemmTile.Prefetch(c, ldc, 2);
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < depth; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            a += 6;
            b += 32;
        }
        StoreRow(c, c00, c01, alpha, beta);
        StoreRow(c + ldc, c10, c11, alpha, beta);
        StoreRow(c + 2 * ldc, c20, c21, alpha, beta);
        StoreRow(c + 3 * ldc, c30, c31, alpha, beta);
        StoreRow(c + 4 * ldc, c40, c41, alpha, beta);
        StoreRow(c + 5 * ldc, c50, c51, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow(float* c, Vector512<float> left, Vector512<float> right, float alpha, float beta)
    {
        var scale = Vector512.Create(alpha);
        if (beta == 0)
        {
            (left * scale).Store(c);
            (right * scale).Store(c + 16);
            return;
        }
        var keep = Vector512.Create(beta);
        Vector512.FusedMultiplyAdd(Vector512.Load(c), keep, left * scale).Store(c);
        Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), keep, right * scale).Store(c + 16);
    }
}

/// <summary>
/// 6x16 tile: 12 Vector256 accumulators (two per row), the same scheme as <see cref="GemmKernel6x32"/>
/// at half width; 12 + 2 + 1 of the 16 ymm registers are live.
/// </summary>
internal struct GemmKernel6x16 : IGemmMicroKernel
{
    public static int Rows => 6;
    public static int Columns => 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(float* a, float* b, int depth, float* c, nint ldc, float alpha, float beta)
    {
        GemmTile.Prefetch(c, ldc, 1);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < depth; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            a += 6;
            b += 16;
        }
        StoreRow(c, c00, c01, alpha, beta);
        StoreRow(c + ldc, c10, c11, alpha, beta);
        StoreRow(c + 2 * ldc, c20, c21, alpha, beta);
        StoreRow(c + 3 * ldc, c30, c31, alpha, beta);
        StoreRow(c + 4 * ldc, c40, c41, alpha, beta);
        StoreRow(c + 5 * ldc, c50, c51, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow(float* c, Vector256<float> left, Vector256<float> right, float alpha, float beta)
    {
        var scale = Vector256.Create(alpha);
        if (beta == 0)
        {
            (left * scale).Store(c);
            (right * scale).Store(c + 8);
            return;
        }
        var keep = Vector256.Create(beta);
        Vector256.FusedMultiplyAdd(Vector256.Load(c), keep, left * scale).Store(c);
        Vector256.FusedMultiplyAdd(Vector256.Load(c + 8), keep, right * scale).Store(c + 8);
    }
}

/// <summary>
/// 6x4 tile in scalar code, for runtimes without hardware intrinsics: one row of the tile at a time in
/// four accumulators (24 would not fit x64's 16 float registers). This path is about correctness, not speed.
/// Products are rounded then added (no fused multiply-add), like the scalar code it stands in for.
/// </summary>
internal struct GemmKernelScalar : IGemmMicroKernel
{
    public static int Rows => 6;
    public static int Columns => 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(float* a, float* b, int depth, float* c, nint ldc, float alpha, float beta)
    {
        // One row of the tile at a time keeps four accumulators in registers; A's row is re-read from L1.
        for (int r = 0; r < 6; r++)
        {
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            float* ap = a + r, bp = b;
            for (int p = 0; p < depth; p++)
            {
                float value = *ap;
                s0 += value * bp[0];
                s1 += value * bp[1];
                s2 += value * bp[2];
                s3 += value * bp[3];
                ap += 6;
                bp += 4;
            }
            float* row = c + r * ldc;
            if (beta == 0)
            {
                row[0] = alpha * s0; row[1] = alpha * s1; row[2] = alpha * s2; row[3] = alpha * s3;
            }
            else
            {
                row[0] = alpha * s0 + beta * row[0]; row[1] = alpha * s1 + beta * row[1];
                row[2] = alpha * s2 + beta * row[2]; row[3] = alpha * s3 + beta * row[3];
            }
        }
    }
}
