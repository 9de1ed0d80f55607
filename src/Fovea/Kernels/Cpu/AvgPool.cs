namespace Fovea.Kernels.Cpu;

/// <summary>
/// The production average-pooling kernels over (planes, D, H, W), tested against <see cref="Reference"/>:
/// each worker thread runs the reference loop over its own range of planes (the windows are shared and
/// read-only), and the input gradient is cleared plane by plane by the worker that fills it.
/// </summary>
internal static partial class AvgPool
{
    public static void Forward(ReadOnlyMemory<float> input, Memory<float> output, PoolWindows windows, bool countIncludePad, int? divisorOverride) =>
        WorkSplit.For(windows.Planes, windows.InputPlaneSize, (start, end) =>
            Reference.ForwardPlanes(input.Span, output.Span, windows, countIncludePad, divisorOverride, start, end));

    /// <summary>Spreads gradOutput / divisor over the input positions of each window. gradInput is overwritten.</summary>
    public static void Backward(ReadOnlyMemory<float> gradOutput, Memory<float> gradInput, PoolWindows windows, bool countIncludePad, int? divisorOverride) =>
        WorkSplit.For(windows.Planes, windows.InputPlaneSize, (start, end) =>
        {
            int plane = windows.InputPlaneSize;
            gradInput.Span.Slice(start * plane, (end - start) * plane).Clear();
            Reference.BackwardPlanes(gradOutput.Span, gradInput.Span, windows, countIncludePad, divisorOverride, start, end);
        });
}
