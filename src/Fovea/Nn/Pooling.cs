using static Fovea.PoolingSetup;

namespace Fovea.Nn;

/// <summary>
/// Max pooling of any spatial rank (the shared body of <see cref="MaxPool1d"/>, <see cref="MaxPool2d"/>,
/// <see cref="MaxPool3d"/>): keeps the strongest response of each window, per channel; 0 parameters.
/// Arguments are checked when the layer is built; the input size when it runs.
/// </summary>
public abstract class MaxPoolBase : Module, IWindowLayer
{
    private readonly int[] kernel, stride, dilation;

    private protected MaxPoolBase(int[] kernel, int[]? stride, Padding? padding, int[] dilation, bool ceilMode)
    {
        (this.kernel, this.stride, this.dilation) = (kernel, stride ?? kernel, dilation);
        Padding = padding ?? Padding.Valid;
        CeilMode = ceilMode;
        ValidateArguments(GetType().Name, kernel.Length, this.kernel, this.stride, Padding, this.dilation);
    }

    public IReadOnlyList<int> Kernel => kernel;
    public IReadOnlyList<int> Stride => stride;
    public Padding Padding { get; }
    public IReadOnlyList<int> Dilation => dilation;
    public bool CeilMode { get; }

    /// <summary>The pooling window (kernel, stride, dilation), whatever the input.</summary>
    public SlidingWindow WindowFor(Shape input) => new(kernel, stride, dilation);

    protected override Tensor OnForward(Tensor input) => F.MaxPoolNd(GetType().Name, input, kernel, stride, Padding, dilation, CeilMode);

    public override string ToString() =>
        $"{GetType().Name}(kernel={Shape.Format(kernel)}, stride={Shape.Format(stride)}, padding={Padding}, dilation={Shape.Format(dilation)}, ceilMode={CeilMode})";
}

/// <summary>Max pooling over x: (N, C, L) or (C, L). stride defaults to kernel.</summary>
public sealed class MaxPool1d(int kernel, int? stride = null, Padding? padding = null, int dilation = 1, bool ceilMode = false)
    : MaxPoolBase([kernel], Repeat(stride, 1), padding, [dilation], ceilMode);

/// <summary>Max pooling over x: (N, C, H, W) or (C, H, W). stride defaults to kernel.</summary>
public sealed class MaxPool2d : MaxPoolBase
{
    public MaxPool2d(int kernel, int? stride = null, Padding? padding = null, int dilation = 1, bool ceilMode = false)
        : base(Repeat(kernel, 2), Repeat(stride, 2), padding, Repeat(dilation, 2), ceilMode) { }

    public MaxPool2d((int Height, int Width) kernel, (int Height, int Width)? stride = null, Padding? padding = null,
        (int Height, int Width)? dilation = null, bool ceilMode = false)
        : base(Sizes(kernel), Sizes(stride), padding, Sizes(dilation) ?? Repeat(1, 2), ceilMode) { }
}

/// <summary>Max pooling over x: (N, C, D, H, W) or (C, D, H, W). stride defaults to kernel.</summary>
public sealed class MaxPool3d : MaxPoolBase
{
    public MaxPool3d(int kernel, int? stride = null, Padding? padding = null, int dilation = 1, bool ceilMode = false)
        : base(Repeat(kernel, 3), Repeat(stride, 3), padding, Repeat(dilation, 3), ceilMode) { }

    public MaxPool3d((int Depth, int Height, int Width) kernel, (int Depth, int Height, int Width)? stride = null, Padding? padding = null,
        (int Depth, int Height, int Width)? dilation = null, bool ceilMode = false)
        : base(Sizes(kernel), Sizes(stride), padding, Sizes(dilation) ?? Repeat(1, 3), ceilMode) { }
}

/// <summary>
/// Average pooling of any spatial rank (the shared body of <see cref="AvgPool1d"/>, <see cref="AvgPool2d"/>,
/// <see cref="AvgPool3d"/>): downsamples by taking window means, per channel; 0 parameters.
/// </summary>
public abstract class AvgPoolBase : Module, IWindowLayer
{
    private readonly int[] kernel, stride;

    private protected AvgPoolBase(int[] kernel, int[]? stride, Padding? padding, bool ceilMode, bool countIncludePad, int? divisorOverride)
    {
        (this.kernel, this.stride) = (kernel, stride ?? kernel);
        Padding = padding ?? Padding.Valid;
        (CeilMode, CountIncludePad, DivisorOverride) = (ceilMode, countIncludePad, divisorOverride);
        ValidateArguments(GetType().Name, kernel.Length, this.kernel, this.stride, Padding, Repeat(1, kernel.Length));
        F.CheckDivisorOverride(GetType().Name, divisorOverride);
    }

    public IReadOnlyList<int> Kernel => kernel;
    public IReadOnlyList<int> Stride => stride;
    public Padding Padding { get; }
    public bool CeilMode { get; }
    public bool CountIncludePad { get; }
    public int? DivisorOverride { get; }

    /// <summary>The pooling window (kernel, stride, no dilation), whatever the input.</summary>
    public SlidingWindow WindowFor(Shape input) => new(kernel, stride, Repeat(1, kernel.Length));

    protected override Tensor OnForward(Tensor input) =>
        F.AvgPoolNd(GetType().Name, input, kernel, stride, Padding, CeilMode, CountIncludePad, DivisorOverride);

    public override string ToString() =>
        $"{GetType().Name}(kernel={Shape.Format(kernel)}, stride={Shape.Format(stride)}, padding={Padding}, ceilMode={CeilMode}, countIncludePad={CountIncludePad}{(DivisorOverride is int d ? $", divisorOverride={d}" : "")})";
}

/// <summary>Average pooling over x: (N, C, L) or (C, L). stride defaults to kernel.</summary>
public sealed class AvgPool1d(int kernel, int? stride = null, Padding? padding = null, bool ceilMode = false, bool countIncludePad = true)
    : AvgPoolBase([kernel], Repeat(stride, 1), padding, ceilMode, countIncludePad, null);

/// <summary>Average pooling over x: (N, C, H, W) or (C, H, W). stride defaults to kernel.</summary>
public sealed class AvgPool2d : AvgPoolBase
{
    public AvgPool2d(int kernel, int? stride = null, Padding? padding = null, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
        : base(Repeat(kernel, 2), Repeat(stride, 2), padding, ceilMode, countIncludePad, divisorOverride) { }

    public AvgPool2d((int Height, int Width) kernel, (int Height, int Width)? stride = null, Padding? padding = null, bool ceilMode = false,
        bool countIncludePad = true, int? divisorOverride = null)
        : base(Sizes(kernel), Sizes(stride), padding, ceilMode, countIncludePad, divisorOverride) { }
}

/// <summary>Average pooling over x: (N, C, D, H, W) or (C, D, H, W). stride defaults to kernel.</summary>
public sealed class AvgPool3d : AvgPoolBase
{
    public AvgPool3d(int kernel, int? stride = null, Padding? padding = null, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
        : base(Repeat(kernel, 3), Repeat(stride, 3), padding, ceilMode, countIncludePad, divisorOverride) { }

    public AvgPool3d((int Depth, int Height, int Width) kernel, (int Depth, int Height, int Width)? stride = null, Padding? padding = null,
        bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
        : base(Sizes(kernel), Sizes(stride), padding, ceilMode, countIncludePad, divisorOverride) { }
}

/// <summary>Average pooling to a fixed output size (N, C, outputHeight, outputWidth), whatever the input size.</summary>
public sealed class AdaptiveAvgPool2d : Module, IWindowLayer
{
    public AdaptiveAvgPool2d(int outputHeight, int outputWidth)
    {
        F.CheckAdaptiveOutputSize(nameof(AdaptiveAvgPool2d), [outputHeight, outputWidth]);
        (OutputHeight, OutputWidth) = (outputHeight, outputWidth);
    }

    public AdaptiveAvgPool2d(int outputSize) : this(outputSize, outputSize) { }

    public int OutputHeight { get; }
    public int OutputWidth { get; }

    /// <summary>Kernel = stride = input/output per dimension when the output size divides the input size; null otherwise (windows of unequal sizes).</summary>
    public SlidingWindow? WindowFor(Shape input) => AdaptivePooling.Window(input, OutputHeight, OutputWidth);

    protected override Tensor OnForward(Tensor input) => F.AdaptiveAvgPool2d(input, OutputHeight, OutputWidth);
    public override string ToString() => $"AdaptiveAvgPool2d(outputSize=({OutputHeight}, {OutputWidth}))";
}

/// <summary>Max pooling to a fixed output size (N, C, outputHeight, outputWidth), whatever the input size.</summary>
public sealed class AdaptiveMaxPool2d : Module, IWindowLayer
{
    public AdaptiveMaxPool2d(int outputHeight, int outputWidth)
    {
        F.CheckAdaptiveOutputSize(nameof(AdaptiveMaxPool2d), [outputHeight, outputWidth]);
        (OutputHeight, OutputWidth) = (outputHeight, outputWidth);
    }

    public AdaptiveMaxPool2d(int outputSize) : this(outputSize, outputSize) { }

    public int OutputHeight { get; }
    public int OutputWidth { get; }

    /// <summary>Kernel = stride = input/output per dimension when the output size divides the input size; null otherwise (windows of unequal sizes).</summary>
    public SlidingWindow? WindowFor(Shape input) => AdaptivePooling.Window(input, OutputHeight, OutputWidth);

    protected override Tensor OnForward(Tensor input) => F.AdaptiveMaxPool2d(input, OutputHeight, OutputWidth);
    public override string ToString() => $"AdaptiveMaxPool2d(outputSize=({OutputHeight}, {OutputWidth}))";
}

/// <summary>What the adaptive pooling layers share.</summary>
file static class AdaptivePooling
{
    /// <summary>
    /// Output position i pools input positions floor(i·I/O) to ceil((i + 1)·I/O) − 1 (PyTorch's rule): one
    /// window of size I/O moved by I/O when O divides I; windows of unequal sizes (null) otherwise.
    /// </summary>
    public static SlidingWindow? Window(Shape input, int outputHeight, int outputWidth)
    {
        if (input.Rank < 2) return null;
        int height = input[input.Rank - 2], width = input[input.Rank - 1];
        if (height == 0 || width == 0 || height % outputHeight != 0 || width % outputWidth != 0) return null;
        int[] kernel = [height / outputHeight, width / outputWidth];
        return new SlidingWindow(kernel, kernel, [1, 1]);
    }
}
