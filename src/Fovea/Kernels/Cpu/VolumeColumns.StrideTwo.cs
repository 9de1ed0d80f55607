using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fovea.Kernels.Cpu;

internal static partial class VolumeColumns
{
    /// <summary>Widest input row whose even/odd split lives on the stack (8 KB); wider rows use a pooled buffer.</summary>
    private const int StackPhaseFloats = 2048;

    /// <summary>
    /// Whether <see cref="VolumeToColumnsStrideTwo"/> lowers this geometry: stride 2 along the width and at least two taps
    /// along it (a 1-wide kernel reads each input row once, so splitting it would only add work).
    /// </summary>
    private static bool SplitsRows(in ConvolutionGeometry geometry, TapTable taps) => taps.StrideWidth == 2 && geometry.Kernel.Width >= 2;

    /// <summary>
    /// <see cref="VolumeToColumns"/> for stride 2 along the width (the 7x7 stride-2 stem of ResNet, 3x3 stride-2
    /// down-sampling convolutions). The kW taps of one (c, kd, kh) read the same input rows, each at the even or odd
    /// columns from its own offset: rather than gather every tap's row with strided loads (kW gathers of one input row),
    /// each input row is split once into its even and odd columns (<see cref="Deinterleave.Split"/>) and every tap then
    /// copies a contiguous run of one of the two halves. Same result as the gathering loop, entry for entry.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void VolumeToColumnsStrideTwo(in ConvolutionGeometry geometry, TapTable taps, ReadOnlySpan<float> volume,
        Span<float> columns, int leadingDimension, int columnOffset, int firstRow, int endRow)
    {
        var (input, output) = (geometry.Input, geometry.Output);
        int inputPlane = input.Height * input.Width, outputWidth = output.Width, inputWidth = input.Width;
        int kernelWidth = geometry.Kernel.Width, pairs = inputWidth / 2, evenCount = (inputWidth + 1) / 2;
        float[]? rented = null;
        // phases: the even columns of the current input row (evenCount floats), then its odd columns (pairs floats).
        Span<float> phases = inputWidth <= StackPhaseFloats ? stackalloc float[inputWidth]
            : (rented = ArrayPool<float>.Shared.Rent(inputWidth));
        try
        {
            ref float source = ref MemoryMarshal.GetReference(volume);
            ref float target = ref MemoryMarshal.GetReference(columns);
            ref float even = ref MemoryMarshal.GetReference(phases);
            ref float odd = ref Unsafe.Add(ref even, evenCount);
            var tapList = taps.Taps;
            int row = 0;
            for (int channel = 0; channel < geometry.InChannelsPerGroup; channel++)
                // The taps of one (kd, kh) are kernelWidth consecutive entries (kw innermost): same input rows and depth.
                for (int t0 = 0; t0 < tapList.Length; t0 += kernelWidth, row += kernelWidth)
                {
                    ref readonly var group = ref tapList[t0];
                    foreach (var (od, ohStart, ohEnd) in new RowSpans(output.Height, firstRow, endRow))
                    {
                        int spanOffset = columnOffset + (od * output.Height + ohStart - firstRow) * outputWidth;
                        int id = od * taps.StrideDepth + group.DepthOffset;
                        int validStart = Math.Clamp(group.RowStart, ohStart, ohEnd), validEnd = Math.Clamp(group.RowEnd, validStart, ohEnd);
                        bool empty = (uint)id >= (uint)input.Depth || validStart >= validEnd;
                        for (int kw = 0; kw < kernelWidth; kw++)
                        {
                            ref float plane = ref Unsafe.Add(ref target, (row + kw) * leadingDimension + spanOffset);
                            if (empty)
                            {
                                Zero(ref plane, (ohEnd - ohStart) * outputWidth);
                                continue;
                            }
                            // Output rows above and below the input read padding only.
                            Zero(ref plane, (validStart - ohStart) * outputWidth);
                            Zero(ref Unsafe.Add(ref plane, (validEnd - ohStart) * outputWidth), (ohEnd - validEnd) * outputWidth);
                        }
                        if (empty) continue;
                        ref float sourcePlane = ref Unsafe.Add(ref source, (channel * input.Depth + id) * inputPlane);
                        for (int oh = validStart; oh < validEnd; oh++)
                        {
                            ref float inputRow = ref Unsafe.Add(ref sourcePlane, (oh * taps.StrideHeight + group.RowOffset) * inputWidth);
                            Deinterleave.Split(MemoryMarshal.CreateReadOnlySpan(ref inputRow, 2 * pairs),
                                MemoryMarshal.CreateSpan(ref even, pairs), MemoryMarshal.CreateSpan(ref odd, pairs));
                            if (evenCount > pairs) Unsafe.Add(ref even, pairs) = Unsafe.Add(ref inputRow, inputWidth - 1);
                            int lineOffset = spanOffset + (oh - ohStart) * outputWidth;
                            for (int kw = 0; kw < kernelWidth; kw++)
                            {
                                ref readonly var tap = ref tapList[t0 + kw];
                                ref float line = ref Unsafe.Add(ref target, (row + kw) * leadingDimension + lineOffset);
                                int count = tap.ColumnEnd - tap.ColumnStart;
                                if (count <= 0)
                                {
                                    Zero(ref line, outputWidth);
                                    continue;
                                }
                                Zero(ref line, tap.ColumnStart);
                                Zero(ref Unsafe.Add(ref line, tap.ColumnEnd), outputWidth - tap.ColumnEnd);
                                // Output column o reads input column 2·o + offset: all of one parity, consecutive in that half.
                                int firstColumn = 2 * tap.ColumnStart + tap.ColumnOffset;
                                ref float half = ref (firstColumn & 1) == 0 ? ref even : ref odd;
                                Copy(ref Unsafe.Add(ref half, firstColumn >> 1), ref Unsafe.Add(ref line, tap.ColumnStart), count);
                            }
                        }
                    }
                }
        }
        finally
        {
            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        }
    }
}
