using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// vol2col and its adjoint col2vol (im2col/col2im generalised to three spatial dimensions), the fast
/// versions of <see cref="Reference"/>. The column matrix has one row per filter weight (c, kd, kh, kw)
/// and one column per output position (od, oh, ow). Several samples can share one column matrix side
/// by side: sample s writes the columns [columnOffset, columnOffset + oD·oH·oW) of rows that are
/// <c>leadingDimension</c> floats long, so one GEMM covers them all.
/// Each output row (od, oh) of a tap reads one input row: for stride 1 that is a contiguous copy
/// (an add for col2vol) of the taps that land inside the input, and zeros for those in the padding.
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
    public static void VolumeToColumns(in ConvolutionGeometry geometry, ReadOnlySpan<float> volume, Span<float> columns,
        int leadingDimension, int columnOffset, int firstRow, int endRow)
    {
        var (input, kernel, output) = (geometry.Input, geometry.Kernel, geometry.Output);
        int positions = (endRow - firstRow) * output.Width, row = 0;
        for (int channel = 0; channel < geometry.InChannelsPerGroup; channel++)
        for (int kd = 0; kd < kernel.Depth; kd++)
        for (int kh = 0; kh < kernel.Height; kh++)
        for (int kw = 0; kw < kernel.Width; kw++, row++)
        {
            var destination = columns.Slice(row * leadingDimension + columnOffset, positions);
            var taps = new TapRanges(geometry, kd, kh, kw);
            foreach (var (od, ohStart, ohEnd) in new RowSpans(output.Height, firstRow, endRow))
            {
                // This depth slice's output rows [ohStart, ohEnd) sit at column (od·oH + oh − firstRow)·oW.
                var plane = destination.Slice((od * output.Height + ohStart - firstRow) * output.Width, (ohEnd - ohStart) * output.Width);
                int id = taps.InputDepth(od);
                int validStart = Math.Clamp(taps.RowStart, ohStart, ohEnd), validEnd = Math.Clamp(taps.RowEnd, validStart, ohEnd);
                if ((uint)id >= (uint)input.Depth || validStart >= validEnd)
                {
                    plane.Clear();
                    continue;
                }
                // Output rows above and below the input read padding only.
                plane[..((validStart - ohStart) * output.Width)].Clear();
                plane[((validEnd - ohStart) * output.Width)..].Clear();
                var sourcePlane = volume.Slice((channel * input.Depth + id) * input.Height * input.Width, input.Height * input.Width);
                if (taps.WholeRowsContiguous)
                {
                    // Stride 1 in H and W, every tap of a row inside the input and oW = W: the rows are one block.
                    int count = (validEnd - validStart) * output.Width;
                    sourcePlane.Slice(taps.InputRow(validStart) * input.Width, count).CopyTo(plane.Slice((validStart - ohStart) * output.Width, count));
                    continue;
                }
                for (int oh = validStart; oh < validEnd; oh++)
                    taps.GatherRow(sourcePlane.Slice(taps.InputRow(oh) * input.Width, input.Width), plane.Slice((oh - ohStart) * output.Width, output.Width));
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="VolumeToColumns"/> for the same output rows: adds every column entry back into the
    /// input position it was read from (taps in the padding are dropped). volume is accumulated into, not cleared.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnsToVolume(in ConvolutionGeometry geometry, ReadOnlySpan<float> columns, int leadingDimension, int columnOffset,
        int firstRow, int endRow, Span<float> volume)
    {
        var (input, kernel, output) = (geometry.Input, geometry.Kernel, geometry.Output);
        int positions = (endRow - firstRow) * output.Width, row = 0;
        for (int channel = 0; channel < geometry.InChannelsPerGroup; channel++)
        for (int kd = 0; kd < kernel.Depth; kd++)
        for (int kh = 0; kh < kernel.Height; kh++)
        for (int kw = 0; kw < kernel.Width; kw++, row++)
        {
            var source = columns.Slice(row * leadingDimension + columnOffset, positions);
            var taps = new TapRanges(geometry, kd, kh, kw);
            foreach (var (od, ohStart, ohEnd) in new RowSpans(output.Height, firstRow, endRow))
            {
                int id = taps.InputDepth(od);
                int validStart = Math.Clamp(taps.RowStart, ohStart, ohEnd), validEnd = Math.Clamp(taps.RowEnd, validStart, ohEnd);
                if ((uint)id >= (uint)input.Depth || validStart >= validEnd) continue;
                var plane = source.Slice((od * output.Height + ohStart - firstRow) * output.Width, (ohEnd - ohStart) * output.Width);
                var targetPlane = volume.Slice((channel * input.Depth + id) * input.Height * input.Width, input.Height * input.Width);
                if (taps.WholeRowsContiguous)
                {
                    int count = (validEnd - validStart) * output.Width;
                    var target = targetPlane.Slice(taps.InputRow(validStart) * input.Width, count);
                    TensorPrimitives.Add(target, plane.Slice((validStart - ohStart) * output.Width, count), target);
                    continue;
                }
                for (int oh = validStart; oh < validEnd; oh++)
                    taps.ScatterAddRow(plane.Slice((oh - ohStart) * output.Width, output.Width), targetPlane.Slice(taps.InputRow(oh) * input.Width, input.Width));
            }
        }
    }

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

    /// <summary>
    /// For one kernel tap (kd, kh, kw): which output rows and columns read inside the input, and where.
    /// Output index o along an axis reads input o·stride + k·dilation − paddingStart.
    /// </summary>
    private readonly ref struct TapRanges
    {
        private readonly int depthOffset, depthStride, rowOffset, rowStride, columnOffset, columnStride;

        public TapRanges(in ConvolutionGeometry geometry, int kd, int kh, int kw)
        {
            var (stride, dilation, padding) = (geometry.Stride, geometry.Dilation, geometry.PaddingStart);
            (depthOffset, depthStride) = (kd * dilation.Depth - padding.Depth, stride.Depth);
            (rowOffset, rowStride) = (kh * dilation.Height - padding.Height, stride.Height);
            (columnOffset, columnStride) = (kw * dilation.Width - padding.Width, stride.Width);
            (RowStart, RowEnd) = ValidRange(rowOffset, rowStride, geometry.Input.Height, geometry.Output.Height);
            (ColumnStart, ColumnEnd) = ValidRange(columnOffset, columnStride, geometry.Input.Width, geometry.Output.Width);
            WholeRowsContiguous = rowStride == 1 && columnStride == 1 && ColumnStart == 0 && ColumnEnd == geometry.Output.Width
                && geometry.Output.Width == geometry.Input.Width && columnOffset == 0;
        }

        /// <summary>Output rows [RowStart, RowEnd) read input rows inside [0, H).</summary>
        public int RowStart { get; }
        public int RowEnd { get; }
        /// <summary>Output columns [ColumnStart, ColumnEnd) read input columns inside [0, W).</summary>
        public int ColumnStart { get; }
        public int ColumnEnd { get; }
        /// <summary>Output row oh reads input row oh + offset: a block of whole rows maps to a block of whole rows.</summary>
        public bool WholeRowsContiguous { get; }

        public int InputDepth(int od) => od * depthStride + depthOffset;
        public int InputRow(int oh) => oh * rowStride + rowOffset;

        /// <summary>The output indices o in [0, outputSize) with 0 ≤ o·stride + offset &lt; inputSize.</summary>
        private static (int Start, int End) ValidRange(int offset, int stride, int inputSize, int outputSize)
        {
            int start = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
            int last = inputSize - 1 - offset; // o·stride <= last
            int end = last < 0 ? 0 : Math.Min(outputSize, last / stride + 1);
            return (Math.Min(start, end), end);
        }

        /// <summary>target[ow] = source[ow·stride + offset], 0 where that is outside the input row.</summary>
        public void GatherRow(ReadOnlySpan<float> source, Span<float> target)
        {
            target[..ColumnStart].Clear();
            target[ColumnEnd..].Clear();
            int count = ColumnEnd - ColumnStart;
            if (count <= 0) return;
            int first = ColumnStart * columnStride + columnOffset;
            if (columnStride == 1)
            {
                source.Slice(first, count).CopyTo(target.Slice(ColumnStart, count));
                return;
            }
            var inside = target.Slice(ColumnStart, count);
            for (int i = 0, iw = first; i < inside.Length; i++, iw += columnStride) inside[i] = source[iw];
        }

        /// <summary>target[ow·stride + offset] += source[ow] for the columns inside the input row.</summary>
        public void ScatterAddRow(ReadOnlySpan<float> source, Span<float> target)
        {
            int count = ColumnEnd - ColumnStart;
            if (count <= 0) return;
            int first = ColumnStart * columnStride + columnOffset;
            var inside = source.Slice(ColumnStart, count);
            if (columnStride == 1)
            {
                var destination = target.Slice(first, count);
                TensorPrimitives.Add(destination, inside, destination);
                return;
            }
            for (int i = 0, iw = first; i < inside.Length; i++, iw += columnStride) target[iw] += inside[i];
        }
    }
}
