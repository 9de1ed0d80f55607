using Fovea.Nn;

namespace Fovea.Vision.Models;

/// <summary>
/// A residual block (He et al., 2015; MISSION.md §7): a few convolutions compute z^[l+2] from a^[l], and the
/// block returns a^[l+2] = g(a^[l] + z^[l+2]) with g = ReLU. When the block changes the resolution or the
/// channel count, a^[l] first goes through <see cref="Downsample"/> (1x1 convolution with the block's stride,
/// then batch norm), torchvision's "downsample" child.
/// </summary>
public abstract class ResidualBlock : Module
{
    /// <summary>The activation g, registered as "relu" by each block where torchvision registers it (and called through it, so hooks see it).</summary>
    private protected ReLU relu = null!;

    /// <summary>The projection of the shortcut, or null when the shortcut is the identity.</summary>
    public Sequential? Downsample { get; private set; }

    /// <summary>The last batch norm of the residual branch (torchvision's zero_init_residual sets its γ to 0, so the block starts as the identity).</summary>
    public abstract BatchNorm2d LastNorm { get; }

    /// <summary>Registers the shortcut projection under "downsample" (call last: torchvision registers it last).</summary>
    private protected void RegisterDownsample(Sequential? downsample)
    {
        if (downsample is not null) Downsample = RegisterModule("downsample", downsample);
    }

    /// <summary>
    /// a^[l+2] = g(z^[l+2] + shortcut): the residual branch from <paramref name="input"/>, plus the shortcut, then the ReLU.
    /// Each convolution → batch norm [→ ReLU] of the branch, the last one with the shortcut added and the final ReLU, goes
    /// through <see cref="LayerFusion.ConvBatchNorm"/>: one fused op at inference (eval, no gradient, no hooks); otherwise
    /// the convolution, then batch norm (+ shortcut) (→ ReLU) as one op that keeps neither the batch norm's output nor the
    /// sum for backward (no hooks on the batch norm); the modules one by one when hooks forbid both.
    /// </summary>
    private protected abstract Tensor ResidualPlusShortcut(Tensor input, Tensor shortcut);

    // x: (N, C_in, H, W) -> (N, C_out, H / stride, W / stride)
    protected override Tensor OnForward(Tensor input)
    {
        // The shortcut first (as before): the fused path passes it into the last convolution's epilogue.
        var shortcut = Downsample is null ? input : Downsample.Forward(input);
        return ResidualPlusShortcut(input, shortcut);
    }

    /// <summary>3x3 convolution, padding 1, no bias (torchvision's conv3x3): the batch norm after it has the bias.</summary>
    private protected static Conv2d Conv3x3(int inPlanes, int outPlanes, int stride, Generator? generator) =>
        new(inPlanes, outPlanes, 3, stride: stride, padding: 1, bias: false, generator: generator);

    /// <summary>1x1 convolution without bias (torchvision's conv1x1).</summary>
    private protected static Conv2d Conv1x1(int inPlanes, int outPlanes, int stride, Generator? generator) =>
        new(inPlanes, outPlanes, 1, stride: stride, bias: false, generator: generator);

    /// <summary>torchvision's shortcut projection: Sequential(conv1x1(stride), BatchNorm2d), named downsample.0 and downsample.1.</summary>
    internal static Sequential Projection(int inPlanes, int outPlanes, int stride, Generator? generator) =>
        new(Conv1x1(inPlanes, outPlanes, stride, generator), new BatchNorm2d(outPlanes));
}

/// <summary>
/// ResNet-18/34's block: conv3x3(stride) → BN → ReLU → conv3x3 → BN, plus the shortcut, then ReLU.
/// Children (torchvision's names): conv1, bn1, relu, conv2, bn2[, downsample]. Output channels = planes.
/// </summary>
public sealed class BasicBlock : ResidualBlock
{
    /// <summary>Output channels per "planes" (1: the block keeps its width).</summary>
    public const int Expansion = 1;

    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;

    public BasicBlock(int inPlanes, int planes, int stride = 1, Sequential? downsample = null, Generator? generator = null)
    {
        conv1 = RegisterModule("conv1", Conv3x3(inPlanes, planes, stride, generator));
        bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
        relu = RegisterModule("relu", new ReLU());
        conv2 = RegisterModule("conv2", Conv3x3(planes, planes, 1, generator));
        bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
        RegisterDownsample(downsample);
    }

    public override BatchNorm2d LastNorm => bn2;

    private protected override Tensor ResidualPlusShortcut(Tensor input, Tensor shortcut)
    {
        var x = LayerFusion.ConvBatchNorm(conv1, bn1, input, relu: relu);
        return LayerFusion.ConvBatchNorm(conv2, bn2, x, shortcut, relu);
    }
}

/// <summary>
/// ResNet-50/101/152's block, torchvision's "v1.5" layout (the stride sits on the 3x3 convolution, not on the
/// first 1x1): conv1x1 → BN → ReLU → conv3x3(stride) → BN → ReLU → conv1x1 (planes·4) → BN, plus the shortcut,
/// then ReLU. Children: conv1, bn1, conv2, bn2, conv3, bn3, relu[, downsample]. Output channels = 4·planes.
/// </summary>
public sealed class Bottleneck : ResidualBlock
{
    /// <summary>Output channels per "planes": the last 1x1 convolution expands the width four times.</summary>
    public const int Expansion = 4;

    private readonly Conv2d conv1, conv2, conv3;
    private readonly BatchNorm2d bn1, bn2, bn3;

    public Bottleneck(int inPlanes, int planes, int stride = 1, Sequential? downsample = null, Generator? generator = null)
    {
        conv1 = RegisterModule("conv1", Conv1x1(inPlanes, planes, 1, generator));
        bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
        conv2 = RegisterModule("conv2", Conv3x3(planes, planes, stride, generator));
        bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
        conv3 = RegisterModule("conv3", Conv1x1(planes, planes * Expansion, 1, generator));
        bn3 = RegisterModule("bn3", new BatchNorm2d(planes * Expansion));
        relu = RegisterModule("relu", new ReLU());
        RegisterDownsample(downsample);
    }

    public override BatchNorm2d LastNorm => bn3;

    private protected override Tensor ResidualPlusShortcut(Tensor input, Tensor shortcut)
    {
        var x = LayerFusion.ConvBatchNorm(conv1, bn1, input, relu: relu);
        x = LayerFusion.ConvBatchNorm(conv2, bn2, x, relu: relu);
        return LayerFusion.ConvBatchNorm(conv3, bn3, x, shortcut, relu);
    }
}
