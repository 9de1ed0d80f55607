using Fovea.Nn;

namespace Fovea.Vision.Models;

/// <summary>Which residual block a <see cref="ResNet"/> stacks.</summary>
public enum ResNetBlock
{
    /// <summary><see cref="BasicBlock"/>: two 3x3 convolutions (ResNet-18/34).</summary>
    Basic,
    /// <summary><see cref="Models.Bottleneck"/>: 1x1, 3x3, 1x1 with 4x expansion (ResNet-50/101/152).</summary>
    Bottleneck,
}

/// <summary>The first layers of a <see cref="ResNet"/>, before the residual stages.</summary>
public enum ResNetStem
{
    /// <summary>torchvision's: conv 7x7 stride 2 padding 3, BN, ReLU, max pool 3x3 stride 2 padding 1 (resolution / 4).</summary>
    ImageNet,
    /// <summary>For small images (28x28, 32x32): conv 3x3 stride 1 padding 1, BN, ReLU, no max pool (resolution kept).</summary>
    Small,
}

/// <summary>
/// Residual network (He et al., 2015) with torchvision's module tree, so torchvision state dicts load unchanged:
/// conv1, bn1, relu[, maxpool], layer1 … layerK (Sequentials of residual blocks, "layer1.0.conv1.weight", …),
/// avgpool (adaptive, to 1x1: any input size works), fc. Stage i has baseWidth·2^i "planes" and stride 2 except
/// the first (stride 1); its first block projects the shortcut (1x1 conv + BN) when the stride or the width changes.
/// Initialisation as torchvision: convolutions kaiming_normal_(fan_out, relu), BN γ = 1, β = 0, fc PyTorch's default.
/// x: (N, inChannels, H, W) -> logits (N, numClasses).
/// </summary>
public sealed class ResNet : Module
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly ReLU relu;
    private readonly MaxPool2d? maxpool;
    private readonly Sequential[] stages;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Linear fc;

    /// <param name="block">The residual block of every stage.</param>
    /// <param name="layers">Blocks per stage, e.g. [2, 2, 2, 2] for ResNet-18; one stage per entry.</param>
    /// <param name="numClasses">Outputs of fc.</param>
    /// <param name="inChannels">Channels of the input images (3 for RGB).</param>
    /// <param name="baseWidth">
    /// Channels of the stem and planes of the first stage; stage i has baseWidth·2^i planes. torchvision fixes 64.
    /// (This is not torchvision's width_per_group, which only widens the Bottleneck's inner convolution.)
    /// </param>
    /// <param name="stem">torchvision's ImageNet stem, or the small-image stem (3x3, no max pool).</param>
    /// <param name="zeroInitResidual">torchvision's zero_init_residual: γ = 0 in each block's last BN.</param>
    /// <param name="generator">Random source of the initialisation (default <see cref="Generator.Default"/>).</param>
    public ResNet(ResNetBlock block, IReadOnlyList<int> layers, int numClasses = 1000, int inChannels = 3, int baseWidth = 64,
        ResNetStem stem = ResNetStem.ImageNet, bool zeroInitResidual = false, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (!Enum.IsDefined(block)) throw new ArgumentOutOfRangeException(nameof(block), $"Unknown block kind {block}.");
        if (!Enum.IsDefined(stem)) throw new ArgumentOutOfRangeException(nameof(stem), $"Unknown stem {stem}.");
        if (layers.Count == 0 || layers.Any(count => count <= 0))
            throw new ArgumentException($"layers must list at least one stage, each with > 0 blocks; got [{string.Join(", ", layers)}].", nameof(layers));
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), $"numClasses must be > 0, got {numClasses}.");
        if (inChannels <= 0) throw new ArgumentOutOfRangeException(nameof(inChannels), $"inChannels must be > 0, got {inChannels}.");
        if (baseWidth <= 0) throw new ArgumentOutOfRangeException(nameof(baseWidth), $"baseWidth must be > 0, got {baseWidth}.");
        (Block, Layers, Stem) = (block, layers.ToArray(), stem);

        conv1 = RegisterModule("conv1", stem == ResNetStem.ImageNet
            ? new Conv2d(inChannels, baseWidth, 7, stride: 2, padding: 3, bias: false, generator: generator)
            : new Conv2d(inChannels, baseWidth, 3, stride: 1, padding: 1, bias: false, generator: generator));
        bn1 = RegisterModule("bn1", new BatchNorm2d(baseWidth));
        relu = RegisterModule("relu", new ReLU());
        if (stem == ResNetStem.ImageNet) maxpool = RegisterModule("maxpool", new MaxPool2d(3, stride: 2, padding: 1));

        int expansion = block == ResNetBlock.Basic ? BasicBlock.Expansion : Bottleneck.Expansion;
        int inPlanes = baseWidth;
        stages = new Sequential[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            int planes = baseWidth << i, stride = i == 0 ? 1 : 2;
            var stage = new Sequential();
            for (int b = 0; b < layers[i]; b++)
            {
                int blockStride = b == 0 ? stride : 1;
                var downsample = blockStride != 1 || inPlanes != planes * expansion
                    ? ResidualBlock.Projection(inPlanes, planes * expansion, blockStride, generator) : null;
                stage.Add(block == ResNetBlock.Basic
                    ? new BasicBlock(inPlanes, planes, blockStride, downsample, generator)
                    : new Bottleneck(inPlanes, planes, blockStride, downsample, generator));
                inPlanes = planes * expansion;
            }
            stages[i] = RegisterModule($"layer{i + 1}", stage);
        }
        avgpool = RegisterModule("avgpool", new AdaptiveAvgPool2d(1, 1));
        fc = RegisterModule("fc", new Linear(inPlanes, numClasses, generator: generator));

        TorchvisionInit.KaimingConvolutions(this, generator);
        TorchvisionInit.BatchNormOnesZeros(this);
        if (zeroInitResidual)
            foreach (var residual in NamedModules().Select(m => m.Module).OfType<ResidualBlock>())
                Init.Zeros(residual.LastNorm.Weight!);
    }

    public ResNetBlock Block { get; }
    public IReadOnlyList<int> Layers { get; }
    public ResNetStem Stem { get; }

    /// <summary>The residual stages layer1 … layerK.</summary>
    public IReadOnlyList<Sequential> Stages => stages;

    // x: (N, C, H, W) -> stem (N, w, H/4, W/4) (ImageNet) -> stages -> (N, 8w·expansion, h, w) -> pool -> (N, classes)
    protected override Tensor OnForward(Tensor input)
    {
        // relu(bn1(conv1(x))), one fused op at inference, the batch norm and ReLU one op otherwise (LayerFusion's rules).
        var x = LayerFusion.ConvBatchNorm(conv1, bn1, input, relu: relu);
        if (maxpool is not null) x = maxpool.Forward(x);
        foreach (var stage in stages) x = stage.Forward(x);
        return fc.Forward(avgpool.Forward(x).Flatten(1));
    }

    /// <summary>torchvision's resnet18: BasicBlock, [2, 2, 2, 2]; 11,689,512 parameters with 1000 classes.</summary>
    public static ResNet ResNet18(int numClasses = 1000, Generator? generator = null) => new(ResNetBlock.Basic, [2, 2, 2, 2], numClasses, generator: generator);

    /// <summary>torchvision's resnet34: BasicBlock, [3, 4, 6, 3]; 21,797,672 parameters with 1000 classes.</summary>
    public static ResNet ResNet34(int numClasses = 1000, Generator? generator = null) => new(ResNetBlock.Basic, [3, 4, 6, 3], numClasses, generator: generator);

    /// <summary>torchvision's resnet50: Bottleneck, [3, 4, 6, 3]; 25,557,032 parameters with 1000 classes.</summary>
    public static ResNet ResNet50(int numClasses = 1000, Generator? generator = null) => new(ResNetBlock.Bottleneck, [3, 4, 6, 3], numClasses, generator: generator);

    /// <summary>torchvision's resnet101: Bottleneck, [3, 4, 23, 3]; 44,549,160 parameters with 1000 classes.</summary>
    public static ResNet ResNet101(int numClasses = 1000, Generator? generator = null) => new(ResNetBlock.Bottleneck, [3, 4, 23, 3], numClasses, generator: generator);

    /// <summary>torchvision's resnet152: Bottleneck, [3, 8, 36, 3]; 60,192,808 parameters with 1000 classes.</summary>
    public static ResNet ResNet152(int numClasses = 1000, Generator? generator = null) => new(ResNetBlock.Bottleneck, [3, 8, 36, 3], numClasses, generator: generator);

    /// <summary>
    /// A small ResNet for 1 x 28 x 28 images (Fashion-MNIST), not a torchvision model: the small stem (conv 3x3,
    /// 16 channels, BN, ReLU, no max pool), three stages of two BasicBlocks with 16, 32 and 64 channels at 28x28,
    /// 14x14 and 7x7, global average pooling and fc (64 -> numClasses). 14 weighted layers on the main path (plus two 1x1 shortcut projections); 174,970 parameters
    /// with 10 classes. Any input of at least 1x1 works (adaptive pooling).
    /// </summary>
    public static ResNet ResNetMnist(int numClasses = 10, Generator? generator = null) =>
        new(ResNetBlock.Basic, [2, 2, 2], numClasses, inChannels: 1, baseWidth: 16, stem: ResNetStem.Small, generator: generator);
}
