using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// vol2col and its adjoint col2vol (im2col/col2im generalised to three spatial dimensions), the fast
/// versions of <see cref="Reference"/>. The column matrix has one row per filter weight (c, kd, kh, kw)
/// and one column per output position (od, oh, ow). Several samples can share one column matrix side
/// by side (sample s writes the columns from <c>columnOffset</c> on, in rows <c>leadingDimension</c> floats
/// long, so one GEMM covers them all), and a large image can be lowered a band of output rows at a time, so
/// that its columns stay in cache.
/// <para>Each tap's valid output ranges are computed once per convolution (<see cref="TapTable"/>). For stride 1,
/// when the output is as wide as the input (e.g. "same" padding), one tap reads one contiguous input block for a
/// whole band: a single copy, then the few columns that fall in the padding are zeroed. Otherwise rows are copied
/// (stride 1) or gathered (larger strides) one at a time with inlined vector loops; with stride 2 along the width and a
/// kernel at least 2 wide, each input row is split once into its even and odd columns and every tap copies from a half
/// (<see cref="VolumeToColumnsStrideTwo"/>).</para>
/// </summary>
internal static partial class VolumeColumns
{
    /// <summary>
    /// volume: (C_in/groups, D, H, W) of one sample and group -> the columns of output rows [firstRow, endRow)
    /// (rows counted over (od, oh), so output positions [firstRow·oW, endRow·oW)) at
    /// columns[row·leadingDimension + columnOffset + position − firstRow·oW], one row per tap (c, kd, kh, kw).
    /// Taps that fall in the padding read 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void VolumeToColumns(in ConvolutionGeometry geometry, TapTable taps, ReadOnlySpan<float> volume, Span<float> columns,
        int leadingDimension, int columnOffset, int firstRow, int endRow)
    {
        var (input, output) = (geometry.Input, geometry.Output);
        int inputPlane = input.Height * input.Width, outputWidth = output.Width, inputWidth = input.Width;
        int bandLength = (endRow - firstRow) * outputWidth, row = 0;
        if (columns.Length < (geometry.ColumnRows - 1) * leadingDimension + columnOffset + bandLength || volume.Length < geometry.InChannelsPerGroup * input.Product)
            throw new ArgumentException("Column matrix or volume too small for the geometry.");
        if (SplitsRows(geometry, taps))
        {
            VolumeToColumnsStrideTwo(geometry, taps, volume, columns, leadingDimension, columnOffset, firstRow, endRow);
            return;
        }
        ref float source = ref MemoryMarshal.GetReference(volume);
        ref float target = ref MemoryMarshal.GetReference(columns);
        bool blockCopies = taps.StrideWidth == 1 && taps.StrideHeight == 1 && outputWidth == inputWidth;
        var tapList = taps.Taps;
        for (int channel = 0; channel < geometry.InChannelsPerGroup; channel++)
            for (int t = 0; t < tapList.Length; t++)
            {
                ref readonly var tap = ref tapList[t];
                ref float destination = ref Unsafe.Add(ref target, row * leadingDimension + columnOffset);
                row++;
                foreach (var (od, ohStart, ohEnd) in new RowSpans(output.Height, firstRow, endRow))
                {
                    ref float plane = ref Unsafe.Add(ref destination, (od * output.Height + ohStart - firstRow) * outputWidth);
                    int id = od * taps.StrideDepth + tap.DepthOffset;
                    int validStart = Math.Clamp(tap.RowStart, ohStart, ohEnd), validEnd = Math.Clamp(tap.RowEnd, validStart, ohEnd);
                    if ((uint)id >= (uint)input.Depth || validStart >= validEnd)
                    {
                        Zero(ref plane, (ohEnd - ohStart) * outputWidth);
                        continue;
                    }
                    // Output rows above and below the input read padding only.
                    Zero(ref plane, (validStart - ohStart) * outputWidth);
                    Zero(ref Unsafe.Add(ref plane, (validEnd - ohStart) * outputWidth), (ohEnd - validEnd) * outputWidth);
                    ref float sourcePlane = ref Unsafe.Add(ref source, (channel * input.Depth + id) * inputPlane);
                    ref float band = ref Unsafe.Add(ref plane, (validStart - ohStart) * outputWidth);
                    int rows = validEnd - validStart, firstInputRow = validStart * taps.StrideHeight + tap.RowOffset;
                    if (blockCopies)
                    {
                        // Output (oh, ow) reads input (oh + rowOffset, ow + columnOffset): one shifted block. Entries whose
                        // column falls outside the input row (they would read a neighbouring row) are zeroed after.
                        int start = firstInputRow * inputWidth + tap.ColumnOffset, length = rows * outputWidth;
                        int first = Math.Max(0, -start), last = Math.Min(length, inputPlane - start);
                        if (last > first) Copy(ref Unsafe.Add(ref sourcePlane, start + first), ref Unsafe.Add(ref band, first), last - first);
                        if (tap.ColumnStart > 0 || tap.ColumnEnd < outputWidth)
                            for (int r = 0; r < rows; r++)
                            {
                                ref float line = ref Unsafe.Add(ref band, r * outputWidth);
                                Zero(ref line, tap.ColumnStart);
                                Zero(ref Unsafe.Add(ref line, tap.ColumnEnd), outputWidth - tap.ColumnEnd);
                            }
                        // Entries before first / after last read outside the plane; they are in padding columns, zeroed above
                        // unless the tap has no valid column at all.
                        if (tap.ColumnStart >= tap.ColumnEnd) Zero(ref band, length);
                        continue;
                    }
                    int count = tap.ColumnEnd - tap.ColumnStart, firstColumn = tap.ColumnStart * taps.StrideWidth + tap.ColumnOffset;
                    if (tap.ColumnStart > 0 || tap.ColumnEnd < outputWidth || count <= 0)
                        for (int r = 0; r < rows; r++)
                        {
                            ref float line = ref Unsafe.Add(ref band, r * outputWidth);
                            Zero(ref line, tap.ColumnStart);
                            Zero(ref Unsafe.Add(ref line, tap.ColumnEnd), outputWidth - tap.ColumnEnd);
                        }
                    if (count <= 0) continue;
                    ref float inside = ref Unsafe.Add(ref band, tap.ColumnStart);
                    ref float inputRow = ref Unsafe.Add(ref sourcePlane, firstInputRow * inputWidth + firstColumn);
                    int inputStep = taps.StrideHeight * inputWidth;
                    if (taps.StrideWidth == 1)
                        for (int r = 0; r < rows; r++)
                        {
                            Copy(ref inputRow, ref inside, count);
                            inside = ref Unsafe.Add(ref inside, outputWidth);
                            inputRow = ref Unsafe.Add(ref inputRow, inputStep);
                        }
                    else if (taps.StrideWidth == 2)
                        for (int r = 0; r < rows; r++)
                        {
                            GatherEven(ref inputRow, ref inside, count);
                            inside = ref Unsafe.Add(ref inside, outputWidth);
                            inputRow = ref Unsafe.Add(ref inputRow, inputStep);
                        }
                    else
                        for (int r = 0; r < rows; r++)
                        {
                            for (int i = 0; i < count; i++) Unsafe.Add(ref inside, i) = Unsafe.Add(ref inputRow, i * taps.StrideWidth);
                            inside = ref Unsafe.Add(ref inside, outputWidth);
                            inputRow = ref Unsafe.Add(ref inputRow, inputStep);
                        }
                }
            }
    }

    /// <summary>
    /// The adjoint of <see cref="VolumeToColumns"/> for the same output rows: adds every column entry back into the
    /// input position it was read from (taps in the padding are dropped). volume is accumulated into, not cleared.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnsToVolume(in ConvolutionGeometry geometry, TapTable taps, ReadOnlySpan<float> columns, int leadingDimension,
        int columnOffset, int firstRow, int endRow, Span<float> volume)
    {
        var (input, output) = (geometry.Input, geometry.Output);
        int inputPlane = input.Height * input.Width, outputWidth = output.Width, inputWidth = input.Width;
        int bandLength = (endRow - firstRow) * outputWidth, row = 0;
        if (columns.Length < (geometry.ColumnRows - 1) * leadingDimension + columnOffset + bandLength || volume.Length < geometry.InChannelsPerGroup * input.Product)
            throw new ArgumentException("Column matrix or volume too small for the geometry.");
        ref float source = ref MemoryMarshal.GetReference(columns);
        ref float target = ref MemoryMarshal.GetReference(volume);
        var tapList = taps.Taps;
        for (int channel = 0; channel < geometry.InChannelsPerGroup; channel++)
            for (int t = 0; t < tapList.Length; t++)
            {
                ref readonly var tap = ref tapList[t];
                ref float origin = ref Unsafe.Add(ref source, row * leadingDimension + columnOffset);
                row++;
                int count = tap.ColumnEnd - tap.ColumnStart, firstColumn = tap.ColumnStart * taps.StrideWidth + tap.ColumnOffset;
                if (count <= 0) continue;
                foreach (var (od, ohStart, ohEnd) in new RowSpans(output.Height, firstRow, endRow))
                {
                    int id = od * taps.StrideDepth + tap.DepthOffset;
                    int validStart = Math.Clamp(tap.RowStart, ohStart, ohEnd), validEnd = Math.Clamp(tap.RowEnd, validStart, ohEnd);
                    if ((uint)id >= (uint)input.Depth || validStart >= validEnd) continue;
                    ref float band = ref Unsafe.Add(ref origin, (od * output.Height + validStart - firstRow) * outputWidth + tap.ColumnStart);
                    ref float targetPlane = ref Unsafe.Add(ref target, (channel * input.Depth + id) * inputPlane);
                    int firstInputRow = validStart * taps.StrideHeight + tap.RowOffset, inputStep = taps.StrideHeight * inputWidth;
                    ref float inputRow = ref Unsafe.Add(ref targetPlane, firstInputRow * inputWidth + firstColumn);
                    for (int r = validStart; r < validEnd; r++)
                    {
                        if (taps.StrideWidth == 1) AddTo(ref band, ref inputRow, count);
                        else
                            for (int i = 0; i < count; i++) Unsafe.Add(ref inputRow, i * taps.StrideWidth) += Unsafe.Add(ref band, i);
                        band = ref Unsafe.Add(ref band, outputWidth);
                        inputRow = ref Unsafe.Add(ref inputRow, inputStep);
                    }
                }
            }
    }

    /// <summary>
    /// Every kernel tap (kd, kh, kw) of a geometry, in column-row order within a channel, with the output rows and columns
    /// whose reads land inside the input. Output index o along an axis reads input o·stride + offset, offset = k·dilation − paddingStart.
    /// </summary>
    internal sealed class TapTable
    {
        public TapTable(in ConvolutionGeometry geometry)
        {
            var (stride, dilation, padding, kernel) = (geometry.Stride, geometry.Dilation, geometry.PaddingStart, geometry.Kernel);
            (StrideDepth, StrideHeight, StrideWidth) = (stride.Depth, stride.Height, stride.Width);
            Taps = new Tap[kernel.Product];
            int index = 0;
            for (int kd = 0; kd < kernel.Depth; kd++)
                for (int kh = 0; kh < kernel.Height; kh++)
                    for (int kw = 0; kw < kernel.Width; kw++)
                    {
                        int rowOffset = kh * dilation.Height - padding.Height, columnOffset = kw * dilation.Width - padding.Width;
                        var (rowStart, rowEnd) = ValidRange(rowOffset, stride.Height, geometry.Input.Height, geometry.Output.Height);
                        var (columnStart, columnEnd) = ValidRange(columnOffset, stride.Width, geometry.Input.Width, geometry.Output.Width);
                        Taps[index++] = new Tap(kd * dilation.Depth - padding.Depth, rowOffset, columnOffset, rowStart, rowEnd, columnStart, columnEnd);
                    }
        }

        public Tap[] Taps { get; }
        public int StrideDepth { get; }
        public int StrideHeight { get; }
        public int StrideWidth { get; }

        /// <summary>The output indices o in [0, outputSize) with 0 ≤ o·stride + offset &lt; inputSize.</summary>
        private static (int Start, int End) ValidRange(int offset, int stride, int inputSize, int outputSize)
        {
            int start = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
            int last = inputSize - 1 - offset; // o·stride <= last
            int end = last < 0 ? 0 : Math.Min(outputSize, last / stride + 1);
            return (Math.Min(start, end), end);
        }
    }

    /// <summary>One tap: its input offsets per axis, and output rows [RowStart, RowEnd) and columns [ColumnStart, ColumnEnd) that read inside the input.</summary>
    internal readonly record struct Tap(int DepthOffset, int RowOffset, int ColumnOffset, int RowStart, int RowEnd, int ColumnStart, int ColumnEnd);

    /// <summary>Output rows [firstRow, endRow), counted over (od, oh), cut at depth boundaries into (od, ohStart, ohEnd) spans.</summary>
    private readonly struct RowSpans(int outputHeight, int firstRow, int endRow)
    {
        public Enumerator GetEnumerator() => new(outputHeight, firstRow, endRow);

        public struct Enumerator(int outputHeight, int firstRow, int endRow)
        {
            private int next = firstRow;
            public (int Depth, int Start, int End) Current { get; private set; }

            public bool MoveNext()
            {
                if (next >= endRow) return false;
                int depth = next / outputHeight, start = next % outputHeight;
                int end = Math.Min(outputHeight, start + (endRow - next));
                Current = (depth, start, end);
                next += end - start;
                return true;
            }
        }
    }

    // Short rows (tens of floats) dominate small images: inlined vector loops beat a call per row.

    /// <summary>Copies count floats; the last vector may overlap the previous one (source and destination never overlap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(ref float source, ref float destination, int count)
    {
        if (count >= 256)
        {
            MemoryMarshal.CreateReadOnlySpan(ref source, count).CopyTo(MemoryMarshal.CreateSpan(ref destination, count));
            return;
        }
        if (Vector256.IsHardwareAccelerated && count >= Vector256<float>.Count)
        {
            int last = count - Vector256<float>.Count;
            for (int i = 0; i < last; i += Vector256<float>.Count)
                Vector256.LoadUnsafe(ref source, (nuint)i).StoreUnsafe(ref destination, (nuint)i);
            Vector256.LoadUnsafe(ref source, (nuint)last).StoreUnsafe(ref destination, (nuint)last);
            return;
        }
        if (Vector128.IsHardwareAccelerated && count >= Vector128<float>.Count)
        {
            int last = count - Vector128<float>.Count;
            for (int i = 0; i < last; i += Vector128<float>.Count)
                Vector128.LoadUnsafe(ref source, (nuint)i).StoreUnsafe(ref destination, (nuint)i);
            Vector128.LoadUnsafe(ref source, (nuint)last).StoreUnsafe(ref destination, (nuint)last);
            return;
        }
        for (int i = 0; i < count; i++) Unsafe.Add(ref destination, i) = Unsafe.Add(ref source, i);
    }

    /// <summary>
    /// destination[i] = source[2i] for i &lt; count, reading no further than source[2·(count − 1)]: whole vectors while
    /// they stay inside, then one last vector flush against the end (overlapping, same values), then the final element.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GatherEven(ref float source, ref float destination, int count)
    {
        int i = 0;
        if (Avx512F.IsSupported && count > 16)
        {
            for (; i + 17 <= count; i += 16)
                Deinterleave.Even(Vector512.LoadUnsafe(ref source, (nuint)(2 * i)), Vector512.LoadUnsafe(ref source, (nuint)(2 * i + 16)))
                    .StoreUnsafe(ref destination, (nuint)i);
            int last = count - 17;
            Deinterleave.Even(Vector512.LoadUnsafe(ref source, (nuint)(2 * last)), Vector512.LoadUnsafe(ref source, (nuint)(2 * last + 16)))
                .StoreUnsafe(ref destination, (nuint)last);
            i = count - 1;
        }
        else if (Avx2.IsSupported && count > 8)
        {
            for (; i + 9 <= count; i += 8)
                Deinterleave.Even(Vector256.LoadUnsafe(ref source, (nuint)(2 * i)), Vector256.LoadUnsafe(ref source, (nuint)(2 * i + 8)))
                    .StoreUnsafe(ref destination, (nuint)i);
            int last = count - 9;
            Deinterleave.Even(Vector256.LoadUnsafe(ref source, (nuint)(2 * last)), Vector256.LoadUnsafe(ref source, (nuint)(2 * last + 8)))
                .StoreUnsafe(ref destination, (nuint)last);
            i = count - 1;
        }
        for (; i < count; i++) Unsafe.Add(ref destination, i) = Unsafe.Add(ref source, 2 * i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Zero(ref float destination, int count)
    {
        if (count >= 64)
        {
            MemoryMarshal.CreateSpan(ref destination, count).Clear();
            return;
        }
        for (int i = 0; i < count; i++) Unsafe.Add(ref destination, i) = 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(ref float source, ref float destination, int count)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= count - Vector256<float>.Count; i += Vector256<float>.Count)
                (Vector256.LoadUnsafe(ref destination, (nuint)i) + Vector256.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref destination, (nuint)i);
        if (Vector128.IsHardwareAccelerated)
            for (; i <= count - Vector128<float>.Count; i += Vector128<float>.Count)
                (Vector128.LoadUnsafe(ref destination, (nuint)i) + Vector128.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref destination, (nuint)i);
        for (; i < count; i++) Unsafe.Add(ref destination, i) += Unsafe.Add(ref source, i);
    }
}
