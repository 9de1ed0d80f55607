using Fovea.Kernels.Cpu;
using static Fovea.PoolingSetup;

namespace Fovea;

// Max pooling (torch.nn.functional.max_pool1d/2d/3d). One N-D implementation; the 1d/2d/3d names only
// turn their arguments into per-dimension arrays.
public static partial class F
{
    /// <summary>
    /// Max over sliding windows. x: (N, C, L) or (C, L). stride defaults to kernel, padding to
    /// <see cref="Padding.Valid"/>. Explicit padding must be at most kernel/2 (PyTorch's rule);
    /// <see cref="Padding.Same"/> and <see cref="Padding.Full"/> may pad more. Padding is −∞: it never wins.
    /// </summary>
    public static Tensor MaxPool1d(Tensor input, int kernel, int? stride = null, Padding? padding = null, int dilation = 1, bool ceilMode = false) =>
        MaxPoolNd("MaxPool1d", input, [kernel], Repeat(stride, 1), padding, [dilation], ceilMode);

    /// <summary>Max pooling of x: (N, C, H, W) or (C, H, W) with a square window; see <see cref="MaxPool1d"/>.</summary>
    public static Tensor MaxPool2d(Tensor input, int kernel, int? stride = null, Padding? padding = null, int dilation = 1, bool ceilMode = false) =>
        MaxPoolNd("MaxPool2d", input, Repeat(kernel, 2), Repeat(stride, 2), padding, Repeat(dilation, 2), ceilMode);

    /// <summary>Max pooling of x: (N, C, H, W) or (C, H, W) with per-dimension sizes; see <see cref="MaxPool1d"/>.</summary>
    public static Tensor MaxPool2d(Tensor input, (int Height, int Width) kernel, (int Height, int Width)? stride = null, Padding? padding = null,
        (int Height, int Width)? dilation = null, bool ceilMode = false) =>
        MaxPoolNd("MaxPool2d", input, Sizes(kernel), Sizes(stride), padding, Sizes(dilation) ?? Repeat(1, 2), ceilMode);

    /// <summary>Max pooling of x: (N, C, D, H, W) or (C, D, H, W) with a cubic window; see <see cref="MaxPool1d"/>.</summary>
    public static Tensor MaxPool3d(Tensor input, int kernel, int? stride = null, Padding? padding = null, int dilation = 1, bool ceilMode = false) =>
        MaxPoolNd("MaxPool3d", input, Repeat(kernel, 3), Repeat(stride, 3), padding, Repeat(dilation, 3), ceilMode);

    /// <summary>Max pooling of x: (N, C, D, H, W) or (C, D, H, W) with per-dimension sizes; see <see cref="MaxPool1d"/>.</summary>
    public static Tensor MaxPool3d(Tensor input, (int Depth, int Height, int Width) kernel, (int Depth, int Height, int Width)? stride = null,
        Padding? padding = null, (int Depth, int Height, int Width)? dilation = null, bool ceilMode = false) =>
        MaxPoolNd("MaxPool3d", input, Sizes(kernel), Sizes(stride), padding, Sizes(dilation) ?? Repeat(1, 3), ceilMode);

    /// <summary>The max pool of every spatial rank: kernel, stride and dilation have one entry per spatial dimension.</summary>
    internal static Tensor MaxPoolNd(string opName, Tensor input, int[] kernel, int[]? stride, Padding? padding, int[] dilation, bool ceilMode)
    {
        var (windows, outputShape) = Sliding(opName, input, kernel, stride ?? kernel, padding ?? Padding.Valid, dilation, ceilMode);
        return MaxOverWindows(opName, input, windows, outputShape);
    }

    /// <summary>Max over each window (sliding or adaptive); the gradient goes to the recorded argmax.</summary>
    internal static Tensor MaxOverWindows(string opName, Tensor input, PoolWindows windows, Shape outputShape)
    {
        var output = Tensor.NewStorage(outputShape.Size);
        // The winners' indices are only needed when a gradient will flow back.
        bool recording = Autograd.IsEnabled && input.RequiresGrad;
        // Pooled: the graph gives the array back when it is freed.
        var argmaxArray = recording ? System.Buffers.ArrayPool<int>.Shared.Rent(outputShape.Size) : [];
        var argmax = argmaxArray.AsMemory(0, recording ? outputShape.Size : 0);
        MaxPool.Forward(input.Data, output, argmax, windows);
        var inputShape = input.Shape;
        return Tensor.Record(new Tensor(output, outputShape), opName, [input], grad =>
        {
            var gradInput = Tensor.NewStorage(inputShape.Size);
            MaxPool.Backward(grad.Data, argmax, gradInput, windows);
            return [new Tensor(gradInput, inputShape)];
        }, recording ? () => System.Buffers.ArrayPool<int>.Shared.Return(argmaxArray) : null);
    }
}
