namespace Fovea.Kernels.Cpu;

/// <summary>
/// Reference average-pooling kernels over (planes, D, H, W), sliding or adaptive (see <see cref="PoolWindows"/>).
/// Padding counts as zeros: it adds nothing to the sum, and it counts in the divisor only with
/// count_include_pad.
/// </summary>
internal static class AvgPool
{
    private static int Divisor(AxisWindow d, AxisWindow h, AxisWindow w, bool countIncludePad, int? divisorOverride) =>
        divisorOverride ?? (countIncludePad ? d.PaddedLength * h.PaddedLength * w.PaddedLength : d.Count * h.Count * w.Count);

    public static void Forward(ReadOnlySpan<float> input, Span<float> output, PoolWindows windows, bool countIncludePad, int? divisorOverride)
    {
        int inputPlane = windows.InputPlaneSize, outputPlane = windows.OutputPlaneSize;
        int height = windows.Input[1], width = windows.Input[2];
        var (axisD, axisH, axisW) = (windows.Axes[0], windows.Axes[1], windows.Axes[2]);
        for (int plane = 0; plane < windows.Planes; plane++)
        {
            var x = input.Slice(plane * inputPlane, inputPlane);
            int o = plane * outputPlane;
            foreach (var wd in axisD)
                foreach (var wh in axisH)
                    foreach (var ww in axisW)
                    {
                        float sum = 0;
                        for (int d = wd.First; d < wd.End; d += wd.Step)
                            for (int h = wh.First; h < wh.End; h += wh.Step)
                            {
                                int row = (d * height + h) * width;
                                for (int w = ww.First; w < ww.End; w += ww.Step) sum += x[row + w];
                            }
                        output[o++] = sum / Divisor(wd, wh, ww, countIncludePad, divisorOverride);
                    }
        }
    }

    /// <summary>Spreads gradOutput / divisor over the input positions of each window; gradInput must start zeroed.</summary>
    public static void Backward(ReadOnlySpan<float> gradOutput, Span<float> gradInput, PoolWindows windows, bool countIncludePad, int? divisorOverride)
    {
        int inputPlane = windows.InputPlaneSize, outputPlane = windows.OutputPlaneSize;
        int height = windows.Input[1], width = windows.Input[2];
        var (axisD, axisH, axisW) = (windows.Axes[0], windows.Axes[1], windows.Axes[2]);
        for (int plane = 0; plane < windows.Planes; plane++)
        {
            var gradIn = gradInput.Slice(plane * inputPlane, inputPlane);
            int o = plane * outputPlane;
            foreach (var wd in axisD)
                foreach (var wh in axisH)
                    foreach (var ww in axisW)
                    {
                        float share = gradOutput[o++] / Divisor(wd, wh, ww, countIncludePad, divisorOverride);
                        for (int d = wd.First; d < wd.End; d += wd.Step)
                            for (int h = wh.First; h < wh.End; h += wh.Step)
                            {
                                int row = (d * height + h) * width;
                                for (int w = ww.First; w < ww.End; w += ww.Step) gradIn[row + w] += share;
                            }
                    }
        }
    }
}
