using Fovea.Nn;

namespace Fovea.Vision.Models;

/// <summary>
/// torchvision's BasicConv2d, GoogLeNet's unit: conv (no bias) → BatchNorm2d(eps = 0.001) → ReLU.
/// Children: conv, bn. Keyword arguments as Conv2d's.
/// </summary>
public sealed class BasicConv2d : Module
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;

    public BasicConv2d(int inChannels, int outChannels, SpatialSize kernel, SpatialSize? stride = null, Padding? padding = null,
        Generator? generator = null)
    {
        conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, kernel, stride, padding, bias: false, generator: generator));
        bn = RegisterModule("bn", new BatchNorm2d(outChannels, eps: 0.001f));
    }

    public int OutChannels => conv.OutChannels;

    // relu(bn(conv(x))), one fused op at inference, the batch norm and ReLU one op otherwise (LayerFusion's rules).
    protected override Tensor OnForward(Tensor input) => LayerFusion.ConvBatchNormRelu(conv, bn, input);
}

/// <summary>
/// The Inception module (Szegedy et al., 2014; MISSION.md §7): four branches side by side on the same input,
/// concatenated along the channels, with 1x1 convolutions that shrink the channels before the larger filters
/// (which keeps the computation down):
/// branch1: 1x1 → ch1x1; branch2: 1x1 → ch3x3red, 3x3 → ch3x3; branch3: 1x1 → ch5x5red, then a 3x3 (not 5x5:
/// torchvision's known quirk, pytorch/vision#906, kept so that its weights load) → ch5x5; branch4: max pool 3x3
/// stride 1 padding 1 (ceil mode), 1x1 → poolProj. Every convolution is a <see cref="BasicConv2d"/>.
/// x: (N, inChannels, H, W) -> (N, ch1x1 + ch3x3 + ch5x5 + poolProj, H, W).
/// </summary>
public sealed class Inception : Module
{
    private readonly BasicConv2d branch1;
    private readonly Sequential branch2, branch3, branch4;

    public Inception(int inChannels, int ch1x1, int ch3x3Reduce, int ch3x3, int ch5x5Reduce, int ch5x5, int poolProjection,
        Generator? generator = null)
    {
        branch1 = RegisterModule("branch1", new BasicConv2d(inChannels, ch1x1, 1, generator: generator));
        branch2 = RegisterModule("branch2", new Sequential(
            new BasicConv2d(inChannels, ch3x3Reduce, 1, generator: generator),
            new BasicConv2d(ch3x3Reduce, ch3x3, 3, padding: 1, generator: generator)));
        branch3 = RegisterModule("branch3", new Sequential(
            new BasicConv2d(inChannels, ch5x5Reduce, 1, generator: generator),
            new BasicConv2d(ch5x5Reduce, ch5x5, 3, padding: 1, generator: generator)));   // 3x3: torchvision's quirk (see above)
        branch4 = RegisterModule("branch4", new Sequential(
            new MaxPool2d(3, stride: 1, padding: 1, ceilMode: true),
            new BasicConv2d(inChannels, poolProjection, 1, generator: generator)));
        OutChannels = ch1x1 + ch3x3 + ch5x5 + poolProjection;
    }

    /// <summary>Channels of the output: the four branches' together.</summary>
    public int OutChannels { get; }

    protected override Tensor OnForward(Tensor input) =>
        Tensor.Concat([branch1.Forward(input), branch2.Forward(input), branch3.Forward(input), branch4.Forward(input)], dim: 1);
}

/// <summary>
/// GoogLeNet's auxiliary classifier (torchvision's InceptionAux), used only in training to add gradient to the
/// middle of the network: adaptive average pool to 4x4, BasicConv2d 1x1 → 128, flatten, fc1 (2048 → 1024), ReLU,
/// Dropout(0.7), fc2 (1024 → numClasses). Children: conv, fc1, fc2, dropout.
/// </summary>
public sealed class InceptionAux : Module
{
    private readonly BasicConv2d conv;
    private readonly Linear fc1, fc2;
    private readonly Dropout dropout;

    /// <param name="inChannels">Channels of the tapped activation (512 after inception4a, 528 after inception4d).</param>
    /// <param name="numClasses">Outputs of fc2.</param>
    /// <param name="dropout">Dropout probability before fc2 (torchvision: 0.7).</param>
    /// <param name="convChannels">Output channels of the 1x1 convolution (torchvision: 128).</param>
    /// <param name="hiddenFeatures">Width of fc1 (torchvision: 1024).</param>
    /// <param name="generator">Random source of the initialisation and of the dropout masks.</param>
    public InceptionAux(int inChannels, int numClasses, float dropout = 0.7f, int convChannels = 128, int hiddenFeatures = 1024,
        Generator? generator = null)
    {
        conv = RegisterModule("conv", new BasicConv2d(inChannels, convChannels, 1, generator: generator));
        fc1 = RegisterModule("fc1", new Linear(convChannels * 4 * 4, hiddenFeatures, generator: generator));
        fc2 = RegisterModule("fc2", new Linear(hiddenFeatures, numClasses, generator: generator));
        this.dropout = RegisterModule("dropout", new Dropout(dropout, generator));
    }

    // x: (N, 512 or 528, 14, 14) -> (N, C, 4, 4) -> (N, 128, 4, 4) -> (N, 2048) -> (N, 1024) -> (N, classes)
    protected override Tensor OnForward(Tensor input)
    {
        var x = conv.Forward(F.AdaptiveAvgPool2d(input, 4, 4)).Flatten(1);
        return fc2.Forward(dropout.Forward(F.Relu(fc1.Forward(x))));
    }
}
