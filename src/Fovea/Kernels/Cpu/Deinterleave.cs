using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// The even- and odd-indexed elements of 2·N consecutive floats (N = 16 with AVX-512, 8 with AVX2): what stride-2
/// kernels (the 2x2 max pool, vol2col of stride-2 convolutions) read along a row. Callers check
/// <see cref="Avx512F.IsSupported"/> / <see cref="Avx2.IsSupported"/> and keep a scalar path.
/// </summary>
internal static class Deinterleave
{
    private static Vector512<int> EvenLanes => Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);

    /// <summary>Elements 0, 2, ..., 30 of low ++ high.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Even(Vector512<float> low, Vector512<float> high) => Avx512F.PermuteVar16x32x2(low, EvenLanes, high);

    /// <summary>Elements 1, 3, ..., 31 of low ++ high.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Odd(Vector512<float> low, Vector512<float> high) => Avx512F.PermuteVar16x32x2(low, EvenLanes + Vector512<int>.One, high);

    // AVX2: shufps picks the even (odd) elements within each 128-bit lane, vpermpd puts the 64-bit pairs back in order:
    // [low 0 2 | high 0 2 | low 4 6 | high 4 6] -> [low 0 2 4 6 | high 0 2 4 6].

    /// <summary>Elements 0, 2, ..., 14 of low ++ high.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Even(Vector256<float> low, Vector256<float> high) =>
        Avx2.Permute4x64(Avx.Shuffle(low, high, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();

    /// <summary>Elements 1, 3, ..., 15 of low ++ high.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Odd(Vector256<float> low, Vector256<float> high) =>
        Avx2.Permute4x64(Avx.Shuffle(low, high, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();

    /// <summary>even[i] = source[2i], odd[i] = source[2i + 1] for i &lt; even.Length (source holds 2·even.Length floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Split(ReadOnlySpan<float> source, Span<float> even, Span<float> odd)
    {
        int count = even.Length, i = 0;
        if (source.Length < 2 * count || odd.Length < count) throw new ArgumentException("Spans too short for the split.");
        ref float from = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(source);
        ref float toEven = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(even);
        ref float toOdd = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(odd);
        if (Avx512F.IsSupported)
            for (; i + 16 <= count; i += 16)
            {
                var (low, high) = (Vector512.LoadUnsafe(ref from, (nuint)(2 * i)), Vector512.LoadUnsafe(ref from, (nuint)(2 * i + 16)));
                Even(low, high).StoreUnsafe(ref toEven, (nuint)i);
                Odd(low, high).StoreUnsafe(ref toOdd, (nuint)i);
            }
        if (Avx2.IsSupported)
            for (; i + 8 <= count; i += 8)
            {
                var (low, high) = (Vector256.LoadUnsafe(ref from, (nuint)(2 * i)), Vector256.LoadUnsafe(ref from, (nuint)(2 * i + 8)));
                Even(low, high).StoreUnsafe(ref toEven, (nuint)i);
                Odd(low, high).StoreUnsafe(ref toOdd, (nuint)i);
            }
        for (; i < count; i++)
        {
            Unsafe.Add(ref toEven, i) = Unsafe.Add(ref from, 2 * i);
            Unsafe.Add(ref toOdd, i) = Unsafe.Add(ref from, 2 * i + 1);
        }
    }
}
