namespace Fovea.Kernels.Cpu;

internal static partial class VolumeColumns
{
    /// <summary>
    /// Reference vol2col and its adjoint col2vol (im2col/col2im generalised to three spatial dimensions).
    /// The column matrix of one sample and one group has one row per filter weight (c, kd, kh, kw)
    /// and one column per output position (od, oh, ow), so a convolution becomes
    /// weight (C_out/groups, rows) · columns (rows, positions).
    /// </summary>
    internal static class Reference
    {
        /// <summary>
        /// volume: (C_in/groups, D, H, W) of one sample and group -> columns: (C_in/groups·kD·kH·kW, oD·oH·oW).
        /// Taps that fall in the padding read 0.
        /// </summary>
        public static void VolumeToColumns(in ConvolutionGeometry geometry, ReadOnlySpan<float> volume, Span<float> columns)
        {
            var (inputWidth, outputWidth, stride) = (geometry.Input.Width, geometry.Output.Width, geometry.Stride.Width);
            foreach (var run in Runs(geometry))
            {
                var target = columns.Slice(run.ColumnStart, outputWidth);
                if (run.InputRowStart < 0)
                {
                    target.Clear();
                    continue;
                }
                var source = volume.Slice(run.InputRowStart, inputWidth);
                int iw = run.FirstInputColumn;
                for (int ow = 0; ow < outputWidth; ow++, iw += stride)
                    target[ow] = (uint)iw < (uint)inputWidth ? source[iw] : 0f;
            }
        }

        /// <summary>
        /// The adjoint of <see cref="VolumeToColumns"/>: adds every column entry back into the input
        /// position it was read from (taps in the padding are dropped). volume is accumulated into, not cleared.
        /// </summary>
        public static void ColumnsToVolume(in ConvolutionGeometry geometry, ReadOnlySpan<float> columns, Span<float> volume)
        {
            var (inputWidth, outputWidth, stride) = (geometry.Input.Width, geometry.Output.Width, geometry.Stride.Width);
            foreach (var run in Runs(geometry))
            {
                if (run.InputRowStart < 0) continue;
                var source = columns.Slice(run.ColumnStart, outputWidth);
                var target = volume.Slice(run.InputRowStart, inputWidth);
                int iw = run.FirstInputColumn;
                for (int ow = 0; ow < outputWidth; ow++, iw += stride)
                    if ((uint)iw < (uint)inputWidth) target[iw] += source[ow];
            }
        }

        /// <summary>
        /// One output row (od, oh) of one column-matrix row (c, kd, kh, kw): where its oW entries start in the
        /// column matrix, where the input row it reads starts in the volume (-1 when the row lies in the padding),
        /// and the input column its first entry reads (iw = ow·stride + kw·dilation − padding).
        /// </summary>
        private readonly record struct Run(int ColumnStart, int InputRowStart, int FirstInputColumn);

        /// <summary>Every <see cref="Run"/> of the column matrix, row by row, the order both directions walk.</summary>
        private static IEnumerable<Run> Runs(ConvolutionGeometry geometry)
        {
            var (input, kernel, output) = (geometry.Input, geometry.Kernel, geometry.Output);
            var (stride, dilation, padding) = (geometry.Stride, geometry.Dilation, geometry.PaddingStart);
            int positions = output.Product, row = 0;
            for (int channel = 0; channel < geometry.InChannelsPerGroup; channel++)
            for (int kd = 0; kd < kernel.Depth; kd++)
            for (int kh = 0; kh < kernel.Height; kh++)
            for (int kw = 0; kw < kernel.Width; kw++, row++)
            {
                int column = row * positions, firstInputColumn = kw * dilation.Width - padding.Width;
                for (int od = 0; od < output.Depth; od++)
                {
                    int id = od * stride.Depth + kd * dilation.Depth - padding.Depth;
                    for (int oh = 0; oh < output.Height; oh++, column += output.Width)
                    {
                        int ih = oh * stride.Height + kh * dilation.Height - padding.Height;
                        bool inside = (uint)id < (uint)input.Depth && (uint)ih < (uint)input.Height;
                        yield return new Run(column, inside ? ((channel * input.Depth + id) * input.Height + ih) * input.Width : -1,
                            firstInputColumn);
                    }
                }
            }
        }
    }
}
