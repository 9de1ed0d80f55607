using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// An elementwise function of two inputs written once per vector width: z = f(x, y). Implemented by small
/// structs, so that <see cref="VectorLoop.Apply{TOperator}"/> is compiled once per function with the calls inlined.
/// Each width must compute exactly what the scalar form computes (same operations in the same order).
/// </summary>
internal interface IElementOperator
{
    float Apply(float x, float y);
    Vector256<float> Apply(Vector256<float> x, Vector256<float> y);
    Vector512<float> Apply(Vector512<float> x, Vector512<float> y);
}

/// <summary>
/// Runs an <see cref="IElementOperator"/> over spans: Vector512 where the hardware accelerates it, then Vector256,
/// then scalar for the tail (and for everything when SIMD is off, e.g. DOTNET_EnableHWIntrinsic=0).
/// </summary>
internal static class VectorLoop
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOperator>(TOperator op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
        where TOperator : struct, IElementOperator
    {
        if (x.Length != z.Length || y.Length != z.Length)
            throw new ArgumentException($"Spans of lengths {x.Length}, {y.Length} and {z.Length} differ.");
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float zs = ref MemoryMarshal.GetReference(z);
        int i = 0, n = z.Length;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                op.Apply(Vector512.LoadUnsafe(ref xs, (nuint)i), Vector512.LoadUnsafe(ref ys, (nuint)i)).StoreUnsafe(ref zs, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                op.Apply(Vector256.LoadUnsafe(ref xs, (nuint)i), Vector256.LoadUnsafe(ref ys, (nuint)i)).StoreUnsafe(ref zs, (nuint)i);
        for (; i < n; i++)
            Unsafe.Add(ref zs, i) = op.Apply(Unsafe.Add(ref xs, i), Unsafe.Add(ref ys, i));
    }

    /// <summary><see cref="Apply{TOperator}"/> over whole arrays, split over the worker threads when they are large.</summary>
    public static void ApplyParallel<TOperator>(TOperator op, ReadOnlyMemory<float> x, ReadOnlyMemory<float> y, Memory<float> z)
        where TOperator : struct, IElementOperator =>
        WorkSplit.For(z.Length, 1, (start, end) =>
            Apply(op, x.Span[start..end], y.Span[start..end], z.Span[start..end]));
}
