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
            var (input, kernel, output) = (geometry.Input, geometry.Kernel, geometry.Output);
            var (stride, dilation, padding) = (geometry.Stride, geometry.Dilation, geometry.PaddingStart);
            int positions = output.Product, row = 0;
            for (int channel = 0; channel < geometry.InChannelsPerGroup; channel++)
            for (int kd = 0; kd < kernel.Depth; kd++)
            for (int kh = 0; kh < kernel.Height; kh++)
            for (int kw = 0; kw < kernel.Width; kw++, row++)
            {
                var destination = columns.Slice(row * positions, positions);
                int column = 0;
                for (int od = 0; od < output.Depth; od++)
                {
                    int id = od * stride.Depth + kd * dilation.Depth - padding.Depth;
                    for (int oh = 0; oh < output.Height; oh++, column += output.Width)
                    {
                        int ih = oh * stride.Height + kh * dilation.Height - padding.Height;
                        var target = destination.Slice(column, output.Width);
                        if ((uint)id >= (uint)input.Depth || (uint)ih >= (uint)input.Height)
                        {
                            target.Clear();
                            continue;
                        }
                        var source = volume.Slice(((channel * input.Depth + id) * input.Height + ih) * input.Width, input.Width);
                        int iw = kw * dilation.Width - padding.Width;
                        for (int ow = 0; ow < output.Width; ow++, iw += stride.Width)
                            target[ow] = (uint)iw < (uint)input.Width ? source[iw] : 0f;
                    }
                }
            }
        }

        /// <summary>
        /// The adjoint of <see cref="VolumeToColumns"/>: adds every column entry back into the input
        /// position it was read from (taps in the padding are dropped). volume is accumulated into, not cleared.
        /// </summary>
        public static void ColumnsToVolume(in ConvolutionGeometry geometry, ReadOnlySpan<float> columns, Span<float> volume)
        {
            var (input, kernel, output) = (geometry.Input, geometry.Kernel, geometry.Output);
            var (stride, dilation, padding) = (geometry.Stride, geometry.Dilation, geometry.PaddingStart);
            int positions = output.Product, row = 0;
            for (int channel = 0; channel < geometry.InChannelsPerGroup; channel++)
            for (int kd = 0; kd < kernel.Depth; kd++)
            for (int kh = 0; kh < kernel.Height; kh++)
            for (int kw = 0; kw < kernel.Width; kw++, row++)
            {
                var sourceRow = columns.Slice(row * positions, positions);
                int column = 0;
                for (int od = 0; od < output.Depth; od++)
                {
                    int id = od * stride.Depth + kd * dilation.Depth - padding.Depth;
                    for (int oh = 0; oh < output.Height; oh++, column += output.Width)
                    {
                        int ih = oh * stride.Height + kh * dilation.Height - padding.Height;
                        if ((uint)id >= (uint)input.Depth || (uint)ih >= (uint)input.Height) continue;
                        var source = sourceRow.Slice(column, output.Width);
                        var target = volume.Slice(((channel * input.Depth + id) * input.Height + ih) * input.Width, input.Width);
                        int iw = kw * dilation.Width - padding.Width;
                        for (int ow = 0; ow < output.Width; ow++, iw += stride.Width)
                            if ((uint)iw < (uint)input.Width) target[iw] += source[ow];
                    }
                }
            }
        }
    }
}
