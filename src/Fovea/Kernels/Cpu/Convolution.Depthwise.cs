using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fovea.Kernels.Cpu;

internal static partial class Convolution
{
    /// <summary>
    /// Direct depthwise convolution: one input channel per group (groups = C_in), m = C_out/groups output
    /// channels per input channel; output channel co reads input channel co / m with its own kD·kH·kW filter.
    /// A GEMM would see one-row panels here, so the loops run over output rows instead: the forward pass
    /// keeps each output vector in a register while it adds every tap (vectorised along the row for stride 1),
    /// the input gradient adds each tap's row times its weight (a row AXPY), and the weight gradient is a dot
    /// product of rows per tap, split over output channels so that no worker shares a sum.
    /// </summary>
    private static class Depthwise
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Forward(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> weight,
            ReadOnlyMemory<float> bias, Memory<float> output, ConvolutionActivation activation)
        {
            var g = geometry;
            int planes = g.Batch * g.OutChannels, taps = g.Kernel.Product;
            WorkSplit.For(planes, (long)g.Output.Product * taps, (start, end) =>
            {
                var x = input.Span;
                var w = weight.Span;
                var b = bias.Span;
                var y = output.Span;
                Span<int> rows = stackalloc int[g.Kernel.Depth * g.Kernel.Height * 2];
                for (int plane = start; plane < end; plane++)
                {
                    int n = plane / g.OutChannels, channel = plane % g.OutChannels;
                    var source = x.Slice((n * g.InChannels + channel / g.OutChannelsPerGroup) * g.Input.Product, g.Input.Product);
                    var target = y.Slice(plane * g.Output.Product, g.Output.Product);
                    var filter = w.Slice(channel * taps, taps);
                    float initial = b.IsEmpty ? 0f : b[channel];
                    for (int od = 0; od < g.Output.Depth; od++)
                        for (int oh = 0; oh < g.Output.Height; oh++)
                        {
                            int count = ValidTapRows(g, od, oh, rows);
                            var row = target.Slice((od * g.Output.Height + oh) * g.Output.Width, g.Output.Width);
                            ForwardRow(g, source, filter, rows[..(2 * count)], initial, row);
                            if (activation == ConvolutionActivation.Relu) TensorPrimitives.Max(row, 0f, row);
                        }
                }
            });
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void BackwardData(in ConvolutionGeometry geometry, ReadOnlyMemory<float> gradOutput, ReadOnlyMemory<float> weight,
            Memory<float> gradInput)
        {
            var g = geometry;
            int planes = g.Batch * g.InChannels, taps = g.Kernel.Product, multiplier = g.OutChannelsPerGroup;
            WorkSplit.For(planes, (long)g.Output.Product * taps * multiplier, (start, end) =>
            {
                var dy = gradOutput.Span;
                var w = weight.Span;
                var dx = gradInput.Span;
                Span<int> rows = stackalloc int[g.Kernel.Depth * g.Kernel.Height * 2];
                for (int plane = start; plane < end; plane++)
                {
                    int n = plane / g.InChannels, inputChannel = plane % g.InChannels;
                    var target = dx.Slice(plane * g.Input.Product, g.Input.Product);
                    target.Clear();
                    for (int j = 0; j < multiplier; j++)
                    {
                        int channel = inputChannel * multiplier + j;
                        var source = dy.Slice((n * g.OutChannels + channel) * g.Output.Product, g.Output.Product);
                        var filter = w.Slice(channel * taps, taps);
                        for (int od = 0; od < g.Output.Depth; od++)
                            for (int oh = 0; oh < g.Output.Height; oh++)
                            {
                                int count = ValidTapRows(g, od, oh, rows);
                                var row = source.Slice((od * g.Output.Height + oh) * g.Output.Width, g.Output.Width);
                                for (int r = 0; r < count; r++)
                                    for (int kw = 0; kw < g.Kernel.Width; kw++)
                                    {
                                        var (first, last, inputStart) = ColumnRange(g, kw);
                                        if (first >= last) continue;
                                        float tap = filter[rows[2 * r + 1] + kw];
                                        var inputRow = target.Slice(rows[2 * r], g.Input.Width);
                                        if (g.Stride.Width == 1)
                                        {
                                            var destination = inputRow.Slice(inputStart, last - first);
                                            TensorPrimitives.MultiplyAdd(row[first..last], tap, destination, destination);
                                        }
                                        else
                                            for (int ow = first, iw = inputStart; ow < last; ow++, iw += g.Stride.Width) inputRow[iw] += tap * row[ow];
                                    }
                            }
                    }
                }
            });
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void BackwardWeight(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> gradOutput,
            Memory<float> gradWeight)
        {
            var g = geometry;
            int taps = g.Kernel.Product;
            WorkSplit.For(g.OutChannels, (long)g.Batch * g.Output.Product * taps, (start, end) =>
            {
                var x = input.Span;
                var dy = gradOutput.Span;
                var dw = gradWeight.Span;
                Span<int> rows = stackalloc int[g.Kernel.Depth * g.Kernel.Height * 2];
                Span<double> sums = taps <= 512 ? stackalloc double[taps] : new double[taps];
                for (int channel = start; channel < end; channel++)
                {
                    sums.Clear();
                    for (int n = 0; n < g.Batch; n++)
                    {
                        var source = x.Slice((n * g.InChannels + channel / g.OutChannelsPerGroup) * g.Input.Product, g.Input.Product);
                        var gradient = dy.Slice((n * g.OutChannels + channel) * g.Output.Product, g.Output.Product);
                        for (int od = 0; od < g.Output.Depth; od++)
                            for (int oh = 0; oh < g.Output.Height; oh++)
                            {
                                int count = ValidTapRows(g, od, oh, rows);
                                var row = gradient.Slice((od * g.Output.Height + oh) * g.Output.Width, g.Output.Width);
                                for (int r = 0; r < count; r++)
                                    for (int kw = 0; kw < g.Kernel.Width; kw++)
                                    {
                                        var (first, last, inputStart) = ColumnRange(g, kw);
                                        if (first >= last) continue;
                                        var inputRow = source.Slice(rows[2 * r], g.Input.Width);
                                        float dot = 0;
                                        if (g.Stride.Width == 1) dot = TensorPrimitives.Dot(row[first..last], inputRow.Slice(inputStart, last - first));
                                        else
                                            for (int ow = first, iw = inputStart; ow < last; ow++, iw += g.Stride.Width) dot += row[ow] * inputRow[iw];
                                        sums[rows[2 * r + 1] + kw] += dot;
                                    }
                            }
                    }
                    for (int t = 0; t < taps; t++) dw[channel * taps + t] = (float)sums[t];
                }
            });
        }

        /// <summary>
        /// The kernel rows (kd, kh) whose input row lies inside the input for output row (od, oh): writes pairs
        /// (input row offset within the plane, tap offset kd·kH·kW + kh·kW) into <paramref name="rows"/>; returns their count.
        /// </summary>
        private static int ValidTapRows(in ConvolutionGeometry g, int od, int oh, Span<int> rows)
        {
            int count = 0;
            for (int kd = 0; kd < g.Kernel.Depth; kd++)
            {
                int id = od * g.Stride.Depth + kd * g.Dilation.Depth - g.PaddingStart.Depth;
                if ((uint)id >= (uint)g.Input.Depth) continue;
                for (int kh = 0; kh < g.Kernel.Height; kh++)
                {
                    int ih = oh * g.Stride.Height + kh * g.Dilation.Height - g.PaddingStart.Height;
                    if ((uint)ih >= (uint)g.Input.Height) continue;
                    rows[2 * count] = (id * g.Input.Height + ih) * g.Input.Width;
                    rows[2 * count + 1] = (kd * g.Kernel.Height + kh) * g.Kernel.Width;
                    count++;
                }
            }
            return count;
        }

        /// <summary>Output columns [First, Last) whose tap kw reads inside the input row, and the input column of First.</summary>
        private static (int First, int Last, int InputStart) ColumnRange(in ConvolutionGeometry g, int kw)
        {
            int offset = kw * g.Dilation.Width - g.PaddingStart.Width, stride = g.Stride.Width;
            int first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
            int lastInput = g.Input.Width - 1 - offset;
            int last = lastInput < 0 ? 0 : Math.Min(g.Output.Width, lastInput / stride + 1);
            first = Math.Min(first, last);
            return (first, last, first * stride + offset);
        }

        /// <summary>
        /// row[ow] = initial + Σ over the valid tap rows and kw of filter[tap]·source[row offset + ow·stride + kw·dilation − padding].
        /// Columns where every kw lands inside the input are vectorised for stride 1 (one accumulator per vector); the
        /// rest check each tap.
        /// </summary>
        private static void ForwardRow(in ConvolutionGeometry g, ReadOnlySpan<float> source, ReadOnlySpan<float> filter,
            ReadOnlySpan<int> rows, float initial, Span<float> row)
        {
            int width = g.Output.Width, kernelWidth = g.Kernel.Width, dilation = g.Dilation.Width, padding = g.PaddingStart.Width;
            int vectorStart = 0, vectorEnd = 0;
            if (g.Stride.Width == 1 && Vector.IsHardwareAccelerated)
            {
                // Every kw is inside from the first column of tap 0 to the last column of tap kW − 1.
                vectorStart = ColumnRange(g, 0).First;
                int interiorEnd = ColumnRange(g, kernelWidth - 1).Last;
                vectorEnd = vectorStart + Math.Max(0, interiorEnd - vectorStart) / Vector<float>.Count * Vector<float>.Count;
                ref float sourceStart = ref MemoryMarshal.GetReference(source);
                ref float rowStart = ref MemoryMarshal.GetReference(row);
                for (int ow = vectorStart; ow < vectorEnd; ow += Vector<float>.Count)
                {
                    var sum = new Vector<float>(initial);
                    for (int r = 0; r < rows.Length; r += 2)
                    {
                        int at = rows[r] + ow - padding, tap = rows[r + 1];
                        for (int kw = 0; kw < kernelWidth; kw++, at += dilation)
                            sum += new Vector<float>(filter[tap + kw]) * Vector.LoadUnsafe(ref sourceStart, (nuint)at);
                    }
                    sum.StoreUnsafe(ref rowStart, (nuint)ow);
                }
            }
            for (int ow = 0; ow < width; ow++)
            {
                if (ow == vectorStart && vectorEnd > vectorStart) { ow = vectorEnd - 1; continue; }
                float sum = initial;
                int column = ow * g.Stride.Width - padding;
                for (int r = 0; r < rows.Length; r += 2)
                {
                    var sourceRow = source.Slice(rows[r], g.Input.Width);
                    for (int kw = 0, iw = column; kw < kernelWidth; kw++, iw += dilation)
                        if ((uint)iw < (uint)sourceRow.Length) sum += filter[rows[r + 1] + kw] * sourceRow[iw];
                }
                row[ow] = sum;
            }
        }
    }
}
