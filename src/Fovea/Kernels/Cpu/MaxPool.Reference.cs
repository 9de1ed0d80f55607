namespace Fovea.Kernels.Cpu;

internal static partial class MaxPool
{
    /// <summary>
    /// Reference max-pooling kernels over (planes, D, H, W), sliding or adaptive (see <see cref="PoolWindows"/>):
    /// plain loops over every window, single-threaded. The fast kernels of <see cref="MaxPool"/> are tested against them.
    /// </summary>
    internal static class Reference
    {
        /// <summary>
        /// output[p, od, oh, ow] = max of the window; argmax gets the winner's flat index within its
        /// input plane (−1 for a window with no input position, whose output is −∞). Ties keep the
        /// first maximum in window order and NaN wins (the last NaN), as in PyTorch.
        /// </summary>
        public static void Forward(ReadOnlySpan<float> input, Span<float> output, Span<int> argmax, PoolWindows windows) =>
            ForwardPlanes(input, output, argmax, windows, 0, windows.Planes);

        /// <summary><see cref="Forward"/> for planes [start, end) only. An empty argmax span is not written.</summary>
        // Also the per-worker body of the fast kernel, hence fully optimised from the first call.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public static void ForwardPlanes(ReadOnlySpan<float> input, Span<float> output, Span<int> argmax, PoolWindows windows, int start, int end)
        {
            int inputPlane = windows.InputPlaneSize, outputPlane = windows.OutputPlaneSize;
            int height = windows.Input[1], width = windows.Input[2];
            var (axisD, axisH, axisW) = (windows.Axes[0], windows.Axes[1], windows.Axes[2]);
            bool withArgmax = !argmax.IsEmpty;
            for (int plane = start; plane < end; plane++)
            {
                var x = input.Slice(plane * inputPlane, inputPlane);
                int o = plane * outputPlane;
                foreach (var wd in axisD)
                    foreach (var wh in axisH)
                        foreach (var ww in axisW)
                        {
                            float best = float.NegativeInfinity;
                            int bestIndex = wd.Count > 0 && wh.Count > 0 && ww.Count > 0 ? (wd.First * height + wh.First) * width + ww.First : -1;
                            for (int d = wd.First; d < wd.End; d += wd.Step)
                                for (int h = wh.First; h < wh.End; h += wh.Step)
                                {
                                    int row = (d * height + h) * width;
                                    for (int w = ww.First; w < ww.End; w += ww.Step)
                                    {
                                        float value = x[row + w];
                                        if (value > best || float.IsNaN(value)) { best = value; bestIndex = row + w; }
                                    }
                                }
                            output[o] = best;
                            if (withArgmax) argmax[o] = bestIndex;
                            o++;
                        }
            }
        }

        /// <summary>gradInput[p, argmax[p, o]] += gradOutput[p, o]; gradInput must start zeroed.</summary>
        public static void Backward(ReadOnlySpan<float> gradOutput, ReadOnlySpan<int> argmax, Span<float> gradInput,
            int planes, int inputPlaneSize, int outputPlaneSize) =>
            BackwardPlanes(gradOutput, argmax, gradInput, inputPlaneSize, outputPlaneSize, 0, planes);

        /// <summary><see cref="Backward"/> for planes [start, end) only.</summary>
        // Also the per-worker body of the fast kernel, hence fully optimised from the first call.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public static void BackwardPlanes(ReadOnlySpan<float> gradOutput, ReadOnlySpan<int> argmax, Span<float> gradInput,
            int inputPlaneSize, int outputPlaneSize, int start, int end)
        {
            for (int plane = start; plane < end; plane++)
            {
                var gradIn = gradInput.Slice(plane * inputPlaneSize, inputPlaneSize);
                for (int o = plane * outputPlaneSize, last = o + outputPlaneSize; o < last; o++)
                    if (argmax[o] >= 0) gradIn[argmax[o]] += gradOutput[o];
            }
        }
    }
}
