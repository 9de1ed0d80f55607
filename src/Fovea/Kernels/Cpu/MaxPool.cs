namespace Fovea.Kernels.Cpu;

/// <summary>Reference max-pooling kernels over (planes, D, H, W), sliding or adaptive (see <see cref="PoolWindows"/>).</summary>
internal static class MaxPool
{
    /// <summary>
    /// output[p, od, oh, ow] = max of the window; argmax gets the winner's flat index within its
    /// input plane (−1 for a window with no input position, whose output is −∞). Ties keep the
    /// first maximum in window order and NaN wins, as in PyTorch.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, Span<int> argmax, PoolWindows windows)
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
                        argmax[o] = bestIndex;
                        o++;
                    }
        }
    }

    /// <summary>gradInput[p, argmax[p, o]] += gradOutput[p, o]; gradInput must start zeroed.</summary>
    public static void Backward(ReadOnlySpan<float> gradOutput, ReadOnlySpan<int> argmax, Span<float> gradInput,
        int planes, int inputPlaneSize, int outputPlaneSize)
    {
        for (int plane = 0; plane < planes; plane++)
        {
            var gradIn = gradInput.Slice(plane * inputPlaneSize, inputPlaneSize);
            for (int o = plane * outputPlaneSize, end = o + outputPlaneSize; o < end; o++)
                if (argmax[o] >= 0) gradIn[argmax[o]] += gradOutput[o];
        }
    }
}
