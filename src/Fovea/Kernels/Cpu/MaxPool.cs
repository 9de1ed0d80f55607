using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// The production max-pooling kernels over (planes, D, H, W), tested against <see cref="Reference"/>: planes are
/// split over the worker threads; the 2x2 stride-2 pool is vectorised (AVX-512 or AVX2, scalar otherwise), other
/// undilated windows within one depth slice (e.g. 3x3 stride 2) run the two-pass <see cref="Separable"/> kernel, the rest
/// the reference loop on each worker's planes. The same rules as the reference: ties keep the first
/// maximum in window order, NaN wins (the last NaN of a window), argmax is the winner's flat index in its input plane.
/// </summary>
internal static partial class MaxPool
{
    /// <summary>Forward pass. An empty <paramref name="argmax"/> skips the indices (no gradient will be needed).</summary>
    public static void Forward(ReadOnlyMemory<float> input, Memory<float> output, Memory<int> argmax, PoolWindows windows)
    {
        bool separable = !windows.IsTwoByTwoStrideTwo && Separable.Computes(windows);
        WorkSplit.For(windows.Planes, windows.InputPlaneSize, (start, end) =>
        {
            if (windows.IsTwoByTwoStrideTwo) TwoByTwoPlanes(input.Span, output.Span, argmax.Span, windows, start, end);
            else if (separable) Separable.ForwardPlanes(input.Span, output.Span, argmax.Span, windows, start, end);
            else Reference.ForwardPlanes(input.Span, output.Span, argmax.Span, windows, start, end);
        });
    }

    /// <summary>
    /// Output rows at least this wide take the 2x2 backward row loop; narrower ones (LeNet's 5-wide second pool) spend
    /// more in per-row overhead than the clear-and-scatter loop does in all (measured: 50 vs 21 µs on 1024 planes of 10x10).
    /// </summary>
    private const int MinimumBackwardRow = 8;

    /// <summary>
    /// gradInput[p, argmax[p, o]] += gradOutput[p, o]. gradInput is overwritten. The 2x2 stride-2 pool's windows do not
    /// overlap, so each input element is written once, from its window's gradient or 0 (<see cref="TwoByTwoBackwardPlanes"/>:
    /// one pass over gradInput instead of a clear and a scatter, 110 → 81 µs on LeNet's 384 planes of 28x28, 654 → 437 µs
    /// when gradInput is freshly allocated); other windows clear each worker's planes and scatter with the reference loop.
    /// </summary>
    public static void Backward(ReadOnlyMemory<float> gradOutput, ReadOnlyMemory<int> argmax, Memory<float> gradInput, PoolWindows windows)
    {
        int inputPlaneSize = windows.InputPlaneSize, outputPlaneSize = windows.OutputPlaneSize;
        WorkSplit.For(windows.Planes, inputPlaneSize, (start, end) =>
        {
            if (windows.IsTwoByTwoStrideTwo && windows.Axes[2].Length >= MinimumBackwardRow)
            {
                TwoByTwoBackwardPlanes(gradOutput.Span, argmax.Span, gradInput.Span, windows, start, end);
                return;
            }
            gradInput.Span.Slice(start * inputPlaneSize, (end - start) * inputPlaneSize).Clear();
            Reference.BackwardPlanes(gradOutput.Span, argmax.Span, gradInput.Span, inputPlaneSize, outputPlaneSize, start, end);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoByTwoBackwardPlanes(ReadOnlySpan<float> gradOutput, ReadOnlySpan<int> argmax, Span<float> gradInput,
        PoolWindows windows, int start, int end)
    {
        int depth = windows.Input[0], height = windows.Input[1], width = windows.Input[2];
        int outputHeight = windows.Axes[1].Length, outputWidth = windows.Axes[2].Length;
        for (int plane = start; plane < end; plane++)
            for (int d = 0; d < depth; d++)
            {
                int slab = plane * depth + d;
                var slice = gradInput.Slice(slab * height * width, height * width);
                for (int oh = 0; oh < outputHeight; oh++)
                {
                    int o = (slab * outputHeight + oh) * outputWidth;
                    TwoByTwoBackwardRow(gradOutput.Slice(o, outputWidth), argmax.Slice(o, outputWidth), (d * height + 2 * oh) * width,
                        slice.Slice(2 * oh * width, 2 * width), width);
                }
                // An odd last input row is in no window.
                slice[(2 * outputHeight * width)..].Clear();
            }
    }

    /// <summary>
    /// Input rows 2oh and 2oh + 1 (rows: 2·width floats, rowIndex: the top row's index in the input plane) from one output
    /// row: input column j of the top row gets gradient[j / 2] where argmax[j / 2] is rowIndex + j, else 0; the bottom row
    /// likewise with rowIndex + width + j. Vectors of input columns read their outputs' gradients and winners duplicated
    /// pairwise; each vector loop ends flush with the row's windows (overlapping columns are rewritten with equal values).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoByTwoBackwardRow(ReadOnlySpan<float> gradient, ReadOnlySpan<int> argmax, int rowIndex, Span<float> rows, int width)
    {
        ref float g = ref MemoryMarshal.GetReference(gradient);
        ref int winner = ref MemoryMarshal.GetReference(argmax);
        ref float top = ref MemoryMarshal.GetReference(rows);
        ref float bottom = ref Unsafe.Add(ref top, width);
        int covered = 2 * gradient.Length, j = 0;
        if (Vector512.IsHardwareAccelerated && covered >= 16)
        {
            var columns = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            for (int next = 0; next < covered; next += 16)
            {
                j = Math.Min(next, covered - 16);
                var half = Vector256.LoadUnsafe(ref g, (nuint)(j / 2));
                var value = Vector512.Shuffle(Vector512.Create(half, half), Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7));
                var halfWinner = Vector256.LoadUnsafe(ref winner, (nuint)(j / 2));
                var index = Vector512.Shuffle(Vector512.Create(halfWinner, halfWinner), Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7));
                var topIndex = Vector512.Create(rowIndex + j) + columns;
                Vector512.ConditionalSelect(Vector512.Equals(index, topIndex).AsSingle(), value, Vector512<float>.Zero).StoreUnsafe(ref top, (nuint)j);
                Vector512.ConditionalSelect(Vector512.Equals(index, topIndex + Vector512.Create(width)).AsSingle(), value, Vector512<float>.Zero)
                    .StoreUnsafe(ref bottom, (nuint)j);
            }
            j = covered;
        }
        else if (Vector256.IsHardwareAccelerated && covered >= 8)
        {
            var columns = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
            for (int next = 0; next < covered; next += 8)
            {
                j = Math.Min(next, covered - 8);
                var half = Vector128.LoadUnsafe(ref g, (nuint)(j / 2));
                var value = Vector256.Shuffle(Vector256.Create(half, half), Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3));
                var halfWinner = Vector128.LoadUnsafe(ref winner, (nuint)(j / 2));
                var index = Vector256.Shuffle(Vector256.Create(halfWinner, halfWinner), Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3));
                var topIndex = Vector256.Create(rowIndex + j) + columns;
                Vector256.ConditionalSelect(Vector256.Equals(index, topIndex).AsSingle(), value, Vector256<float>.Zero).StoreUnsafe(ref top, (nuint)j);
                Vector256.ConditionalSelect(Vector256.Equals(index, topIndex + Vector256.Create(width)).AsSingle(), value, Vector256<float>.Zero)
                    .StoreUnsafe(ref bottom, (nuint)j);
            }
            j = covered;
        }
        for (; j < covered; j++)
        {
            float value = Unsafe.Add(ref g, j / 2);
            int index = Unsafe.Add(ref winner, j / 2);
            Unsafe.Add(ref top, j) = index == rowIndex + j ? value : 0f;
            Unsafe.Add(ref bottom, j) = index == rowIndex + width + j ? value : 0f;
        }
        // An odd last input column is in no window.
        for (; j < width; j++) Unsafe.Add(ref top, j) = Unsafe.Add(ref bottom, j) = 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoByTwoPlanes(ReadOnlySpan<float> input, Span<float> output, Span<int> argmax, PoolWindows windows, int start, int end)
    {
        int depth = windows.Input[0], height = windows.Input[1], width = windows.Input[2];
        int outputHeight = windows.Axes[1].Length, outputWidth = windows.Axes[2].Length;
        bool withArgmax = !argmax.IsEmpty;
        for (int plane = start; plane < end; plane++)
            for (int d = 0; d < depth; d++)
            {
                int slab = plane * depth + d;
                for (int oh = 0; oh < outputHeight; oh++)
                {
                    // Input rows 2oh and 2oh + 1 of this depth slice; indices count from the start of the input plane.
                    int rowIndex = (d * height + 2 * oh) * width;
                    var top = input.Slice(slab * height * width + 2 * oh * width, 2 * width);
                    int o = (slab * outputHeight + oh) * outputWidth;
                    var row = output.Slice(o, outputWidth);
                    var rowArgmax = withArgmax ? argmax.Slice(o, outputWidth) : default;
                    TwoByTwoRow(top, width, rowIndex, row, rowArgmax);
                }
            }
    }

    /// <summary>
    /// One output row of the 2x2 stride-2 pool. rows holds input rows 2oh and 2oh + 1 (width floats each);
    /// the candidates of output ow, in window order, are (top, 2ow), (top, 2ow + 1), (bottom, 2ow), (bottom, 2ow + 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoByTwoRow(ReadOnlySpan<float> rows, int width, int rowIndex, Span<float> output, Span<int> argmax)
    {
        ref float top = ref MemoryMarshal.GetReference(rows);
        ref float bottom = ref Unsafe.Add(ref top, width);
        ref float result = ref MemoryMarshal.GetReference(output);
        ref int winner = ref MemoryMarshal.GetReference(argmax);
        bool withArgmax = !argmax.IsEmpty;
        int ow = 0, count = output.Length;
        // Each vector loop ends with one vector flush against the row's end (overlapping outputs already written; they
        // are recomputed to the same values), so rows of 16+ (AVX-512) or 8+ (AVX2) outputs need no scalar tail.
        if (Avx512F.IsSupported && count >= 16)
        {
            var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            for (int next = 0; next < count; next += 16)
            {
                ow = Math.Min(next, count - 16);
                nuint at = (nuint)(2 * ow);
                var (topLow, topHigh) = (Vector512.LoadUnsafe(ref top, at), Vector512.LoadUnsafe(ref top, at + 16));
                var (bottomLow, bottomHigh) = (Vector512.LoadUnsafe(ref bottom, at), Vector512.LoadUnsafe(ref bottom, at + 16));
                var best = Deinterleave.Even(topLow, topHigh);
                var code = Vector512<int>.Zero;
                Challenge(ref best, ref code, Deinterleave.Odd(topLow, topHigh), 1);
                Challenge(ref best, ref code, Deinterleave.Even(bottomLow, bottomHigh), width);
                Challenge(ref best, ref code, Deinterleave.Odd(bottomLow, bottomHigh), width + 1);
                best.StoreUnsafe(ref result, (nuint)ow);
                if (withArgmax) (Vector512.Create(rowIndex + 2 * ow) + even + code).StoreUnsafe(ref winner, (nuint)ow);
            }
            return;
        }
        if (Avx2.IsSupported && count >= 8)
        {
            var lanes = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
            for (int next = 0; next < count; next += 8)
            {
                ow = Math.Min(next, count - 8);
                nuint at = (nuint)(2 * ow);
                var (topLow, topHigh) = (Vector256.LoadUnsafe(ref top, at), Vector256.LoadUnsafe(ref top, at + 8));
                var (bottomLow, bottomHigh) = (Vector256.LoadUnsafe(ref bottom, at), Vector256.LoadUnsafe(ref bottom, at + 8));
                var best = Deinterleave.Even(topLow, topHigh);
                var code = Vector256<int>.Zero;
                Challenge(ref best, ref code, Deinterleave.Odd(topLow, topHigh), 1);
                Challenge(ref best, ref code, Deinterleave.Even(bottomLow, bottomHigh), width);
                Challenge(ref best, ref code, Deinterleave.Odd(bottomLow, bottomHigh), width + 1);
                best.StoreUnsafe(ref result, (nuint)ow);
                if (withArgmax) (Vector256.Create(rowIndex + 2 * ow) + lanes + code).StoreUnsafe(ref winner, (nuint)ow);
            }
            return;
        }
        ow = 0;
        for (; ow < count; ow++)
        {
            int column = 2 * ow;
            float best = Unsafe.Add(ref top, column);
            int code = 0;
            Challenge(ref best, ref code, Unsafe.Add(ref top, column + 1), 1);
            Challenge(ref best, ref code, Unsafe.Add(ref bottom, column), width);
            Challenge(ref best, ref code, Unsafe.Add(ref bottom, column + 1), width + 1);
            Unsafe.Add(ref result, ow) = best;
            if (withArgmax) Unsafe.Add(ref winner, ow) = rowIndex + column + code;
        }
    }

    // The reference's rule "value > best || NaN(value)" replaces the current winner; code is the winner's offset from the window's first position.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Challenge(ref float best, ref int code, float value, int offset)
    {
        if (value > best || float.IsNaN(value)) { best = value; code = offset; }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Challenge(ref Vector512<float> best, ref Vector512<int> code, Vector512<float> value, int offset)
    {
        var wins = Vector512.GreaterThan(value, best) | ~Vector512.Equals(value, value);
        best = Vector512.ConditionalSelect(wins, value, best);
        code = Vector512.ConditionalSelect(wins.AsInt32(), Vector512.Create(offset), code);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Challenge(ref Vector256<float> best, ref Vector256<int> code, Vector256<float> value, int offset)
    {
        var wins = Vector256.GreaterThan(value, best) | ~Vector256.Equals(value, value);
        best = Vector256.ConditionalSelect(wins, value, best);
        code = Vector256.ConditionalSelect(wins.AsInt32(), Vector256.Create(offset), code);
    }
}
