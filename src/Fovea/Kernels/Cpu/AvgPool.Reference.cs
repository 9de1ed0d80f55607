namespace Fovea.Kernels.Cpu;

internal static partial class AvgPool
{
    /// <summary>
    /// Reference average-pooling kernels over (planes, D, H, W), sliding or adaptive (see <see cref="PoolWindows"/>):
    /// plain loops over every window, single-threaded. Padding counts as zeros: it adds nothing to the sum, and
    /// it counts in the divisor only with count_include_pad. The fast kernels of <see cref="AvgPool"/> are tested against them.
    /// </summary>
    internal static class Reference
    {
        public static void Forward(ReadOnlySpan<float> input, Span<float> output, PoolWindows windows, bool countIncludePad, int? divisorOverride) =>
            ForwardPlanes(input, output, windows, countIncludePad, divisorOverride, 0, windows.Planes);

        /// <summary><see cref="Forward"/> for planes [start, end) only.</summary>
        // Also the per-worker body of the fast kernel, hence fully optimised from the first call.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public static void ForwardPlanes(ReadOnlySpan<float> input, Span<float> output, PoolWindows windows, bool countIncludePad, int? divisorOverride,
            int start, int end)
        {
            int inputPlane = windows.InputPlaneSize, outputPlane = windows.OutputPlaneSize;
            int height = windows.Input[1], width = windows.Input[2];
            var (axisD, axisH, axisW) = (windows.Axes[0], windows.Axes[1], windows.Axes[2]);
            for (int plane = start; plane < end; plane++)
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
        public static void Backward(ReadOnlySpan<float> gradOutput, Span<float> gradInput, PoolWindows windows, bool countIncludePad, int? divisorOverride) =>
            BackwardPlanes(gradOutput, gradInput, windows, countIncludePad, divisorOverride, 0, windows.Planes);

        /// <summary><see cref="Backward"/> for planes [start, end) only.</summary>
        // Also the per-worker body of the fast kernel, hence fully optimised from the first call.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public static void BackwardPlanes(ReadOnlySpan<float> gradOutput, Span<float> gradInput, PoolWindows windows, bool countIncludePad,
            int? divisorOverride, int start, int end)
        {
            int inputPlane = windows.InputPlaneSize, outputPlane = windows.OutputPlaneSize;
            int height = windows.Input[1], width = windows.Input[2];
            var (axisD, axisH, axisW) = (windows.Axes[0], windows.Axes[1], windows.Axes[2]);
            for (int plane = start; plane < end; plane++)
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

    /// <summary>The divisor of one window: the override, the padded window size, or the number of input positions.</summary>
    private static int Divisor(AxisWindow d, AxisWindow h, AxisWindow w, bool countIncludePad, int? divisorOverride) =>
        divisorOverride ?? (countIncludePad ? d.PaddedLength * h.PaddedLength * w.PaddedLength : d.Count * h.Count * w.Count);
}
