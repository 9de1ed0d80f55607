using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fovea.Kernels.Cpu;

internal static partial class MaxPool
{
    /// <summary>
    /// Max pools whose windows are rectangles of consecutive positions (no dilation) within one depth slice, e.g.
    /// ResNet's 3x3 stride-2 pad-1 pool: computed in two passes, first along each input row (the winner of every
    /// output column's window in that row), then down the window's rows. The row pass keeps the first maximum of the
    /// row (or its last NaN) and the column pass the first row's winner (or the last row holding a NaN), which is
    /// exactly the reference's winner in window order (rows outer, columns inner). Both passes run vectors along the
    /// output columns; where the windows step regularly (same length, same stride) the row pass reads the input row
    /// split into its stride's phases so that each tap of a vector of windows is one contiguous load. Other windows
    /// (clipped at the borders) take a scalar loop over the same rule.
    /// </summary>
    private static class Separable
    {
        /// <summary>Every depth window one slice, every row and column window non-empty and undilated.</summary>
        public static bool Computes(PoolWindows windows)
        {
            foreach (var w in windows.Axes[0]) if (w.Count != 1) return false;
            for (int axis = 1; axis < PoolWindows.Rank; axis++)
                foreach (var w in windows.Axes[axis]) if (w.Step != 1 || w.Count <= 0) return false;
            return true;
        }

        /// <summary>The longest run [Start, End) of full-length windows whose first positions step by Stride (First = Offset + i·Stride).</summary>
        private readonly record struct Run(int Start, int End, int Stride, int Offset, int Kernel);

        private static Run FindRun(AxisWindow[] axis)
        {
            int kernel = 0;
            foreach (var w in axis) kernel = Math.Max(kernel, w.End - w.First);
            var best = new Run(0, 0, 1, 0, kernel);
            for (int i = 0; i < axis.Length;)
            {
                if (axis[i].End - axis[i].First != kernel) { i++; continue; }
                int stride = i + 1 < axis.Length ? axis[i + 1].First - axis[i].First : 1, end = i + 1;
                while (end < axis.Length && axis[end].End - axis[end].First == kernel && axis[end].First - axis[end - 1].First == stride) end++;
                if (stride >= 1 && end - i > best.End - best.Start) best = new Run(i, end, stride, axis[i].First - i * stride, kernel);
                i = end;
            }
            return best;
        }

        /// <summary>Forward pass over planes [start, end); an empty argmax is not written.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ForwardPlanes(ReadOnlySpan<float> input, Span<float> output, Span<int> argmax, PoolWindows windows, int start, int end)
        {
            int height = windows.Input[1], width = windows.Input[2];
            var (axisD, axisH, axisW) = (windows.Axes[0], windows.Axes[1], windows.Axes[2]);
            int outputWidth = axisW.Length, inputPlane = windows.InputPlaneSize, outputPlane = windows.OutputPlaneSize;
            var run = FindRun(axisW);
            int phaseLength = (width + run.Stride - 1) / run.Stride;
            // Per task: the row pass's winners (values and input columns) of every input row of a slice, and the phases of one row.
            int rowFloats = height * outputWidth;
            var values = ArrayPool<float>.Shared.Rent(rowFloats + run.Stride * phaseLength);
            var columns = ArrayPool<int>.Shared.Rent(rowFloats);
            try
            {
                var phases = values.AsSpan(rowFloats, run.Stride * phaseLength);
                bool withArgmax = !argmax.IsEmpty;
                for (int plane = start; plane < end; plane++)
                    for (int od = 0; od < axisD.Length; od++)
                    {
                        int slice = axisD[od].First;
                        var x = input.Slice(plane * inputPlane + slice * height * width, height * width);
                        for (int h = 0; h < height; h++)
                            RowPass(x.Slice(h * width, width), axisW, run, phases, phaseLength,
                                values.AsSpan(h * outputWidth, outputWidth), columns.AsSpan(h * outputWidth, outputWidth));
                        for (int oh = 0; oh < axisH.Length; oh++)
                        {
                            int o = plane * outputPlane + (od * axisH.Length + oh) * outputWidth;
                            ColumnPass(values, columns, axisH[oh], outputWidth, width, slice * height * width,
                                output.Slice(o, outputWidth), withArgmax ? argmax.Slice(o, outputWidth) : default);
                        }
                    }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(values);
                ArrayPool<int>.Shared.Return(columns);
            }
        }

        /// <summary>best[ow], column[ow] = the winner of window ow within one input row (column: its index in the row).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void RowPass(ReadOnlySpan<float> row, AxisWindow[] axis, in Run run, Span<float> phases, int phaseLength,
            Span<float> best, Span<int> column)
        {
            int lanes = Vector<float>.Count, count = run.End - run.Start;
            bool vectors = Vector.IsHardwareAccelerated && count >= lanes;
            for (int ow = 0; ow < axis.Length; ow++)
            {
                if (vectors && ow == run.Start) { ow = run.End - 1; continue; }
                var w = axis[ow];
                float value = row[w.First];
                int winner = w.First;
                for (int i = w.First + 1; i < w.End; i++)
                    if (row[i] > value || float.IsNaN(row[i])) { value = row[i]; winner = i; }
                best[ow] = value;
                column[ow] = winner;
            }
            if (!vectors) return;
            // phase r holds row[r], row[r + s], row[r + 2s], ... (the row itself for stride 1).
            int s = run.Stride;
            ReadOnlySpan<float> source = row;
            if (s == 2)
            {
                // Vectorised split; an odd row's last element is the even phase's last.
                int pairs = row.Length / 2;
                Deinterleave.Split(row[..(2 * pairs)], phases[..pairs], phases.Slice(phaseLength, pairs));
                if (row.Length % 2 == 1) phases[pairs] = row[^1];
                source = phases;
            }
            else if (s > 2)
            {
                for (int r = 0; r < s; r++)
                {
                    var phase = phases.Slice(r * phaseLength, phaseLength);
                    for (int i = 0, at = r; at < row.Length; i++, at += s) phase[i] = row[at];
                }
                source = phases;
            }
            ref float first = ref MemoryMarshal.GetReference(source);
            int stride = s > 1 ? phaseLength : 0;
            var ramp = Ramp();
            for (int next = run.Start; next < run.End; next += lanes)
            {
                int ow = Math.Min(next, run.End - lanes);
                // Tap j of window ow is row[Offset + ow·s + j] = phase r at ow + a, where Offset + j = a·s + r.
                Vector<float> max = default;
                Vector<int> code = default;
                for (int j = 0; j < run.Kernel; j++)
                {
                    int shifted = run.Offset + j, a = FloorDivide(shifted, s), r = shifted - a * s;
                    var value = Vector.LoadUnsafe(ref first, (nuint)(r * stride + ow + a));
                    if (j == 0) { max = value; code = Vector<int>.Zero; continue; }
                    var wins = Vector.GreaterThan(value, max) | ~Vector.Equals(value, value);
                    max = Vector.ConditionalSelect(wins, value, max);
                    code = Vector.ConditionalSelect(wins, new Vector<int>(j), code);
                }
                max.StoreUnsafe(ref MemoryMarshal.GetReference(best), (nuint)ow);
                ((new Vector<int>(ow) + ramp) * s + new Vector<int>(run.Offset) + code).StoreUnsafe(ref MemoryMarshal.GetReference(column), (nuint)ow);
            }
        }

        /// <summary>One output row: the winner over the window's input rows of the row pass's winners; argmax in the input plane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ColumnPass(float[] values, int[] columns, AxisWindow window, int outputWidth, int width, int sliceOffset,
            Span<float> output, Span<int> argmax)
        {
            int lanes = Vector<float>.Count, ow = 0;
            bool withArgmax = !argmax.IsEmpty;
            if (Vector.IsHardwareAccelerated && outputWidth >= lanes)
            {
                ref float value = ref MemoryMarshal.GetArrayDataReference(values);
                ref int column = ref MemoryMarshal.GetArrayDataReference(columns);
                for (int next = 0; next < outputWidth; next += lanes)
                {
                    ow = Math.Min(next, outputWidth - lanes);
                    int at = window.First * outputWidth + ow;
                    var max = Vector.LoadUnsafe(ref value, (nuint)at);
                    var index = Vector.LoadUnsafe(ref column, (nuint)at) + new Vector<int>(sliceOffset + window.First * width);
                    for (int h = window.First + 1; h < window.End; h++)
                    {
                        at = h * outputWidth + ow;
                        var candidate = Vector.LoadUnsafe(ref value, (nuint)at);
                        var wins = Vector.GreaterThan(candidate, max) | ~Vector.Equals(candidate, candidate);
                        max = Vector.ConditionalSelect(wins, candidate, max);
                        if (withArgmax)
                            index = Vector.ConditionalSelect(wins, Vector.LoadUnsafe(ref column, (nuint)at) + new Vector<int>(sliceOffset + h * width), index);
                    }
                    max.StoreUnsafe(ref MemoryMarshal.GetReference(output), (nuint)ow);
                    if (withArgmax) index.StoreUnsafe(ref MemoryMarshal.GetReference(argmax), (nuint)ow);
                }
                return;
            }
            for (; ow < outputWidth; ow++)
            {
                int at = window.First * outputWidth + ow;
                float max = values[at];
                int index = sliceOffset + window.First * width + columns[at];
                for (int h = window.First + 1; h < window.End; h++)
                {
                    at = h * outputWidth + ow;
                    if (values[at] > max || float.IsNaN(values[at])) { max = values[at]; index = sliceOffset + h * width + columns[at]; }
                }
                output[ow] = max;
                if (withArgmax) argmax[ow] = index;
            }
        }

        private static int FloorDivide(int value, int divisor) => value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor);

        /// <summary>0, 1, ..., lanes − 1.</summary>
        private static Vector<int> Ramp()
        {
            Span<int> lanes = stackalloc int[Vector<int>.Count];
            for (int i = 0; i < lanes.Length; i++) lanes[i] = i;
            return new Vector<int>(lanes);
        }
    }
}
