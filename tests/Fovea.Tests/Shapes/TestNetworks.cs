using Fovea.Nn;

namespace Fovea.Tests.Shapes;

/// <summary>
/// torchvision's ResNet BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), the shortcut a 1x1
/// stride-S convolution with batch norm when the shape changes. One ReLU module runs twice, as in torchvision.
/// A test fixture for summaries through residual branches (the model zoo has the real ResNets).
/// </summary>
internal sealed class TestBasicBlock : Module
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;
    private readonly ReLU relu;
    private readonly Sequential? downsample;

    public TestBasicBlock(int inChannels, int outChannels, int stride)
    {
        conv1 = RegisterModule("conv1", new Conv2d(inChannels, outChannels, 3, stride, 1, bias: false));
        bn1 = RegisterModule("bn1", new BatchNorm2d(outChannels));
        relu = RegisterModule("relu", new ReLU());
        conv2 = RegisterModule("conv2", new Conv2d(outChannels, outChannels, 3, 1, 1, bias: false));
        bn2 = RegisterModule("bn2", new BatchNorm2d(outChannels));
        if (stride != 1 || inChannels != outChannels)
            downsample = RegisterModule("downsample", new Sequential(new Conv2d(inChannels, outChannels, 1, stride, bias: false), new BatchNorm2d(outChannels)));
    }

    protected override Tensor OnForward(Tensor input)
    {
        var output = bn2.Forward(conv2.Forward(relu.Forward(bn1.Forward(conv1.Forward(input)))));
        var identity = downsample?.Forward(input) ?? input;
        return relu.Forward(output + identity);
    }
}

/// <summary>
/// An Inception-style module: parallel branches (1x1; 1x1 then 3x3; 1x1 then dilated 3x3; 3x3 max pool then
/// 1x1) concatenated along the channels. F.Relu is applied inside the module's forward, between layers.
/// </summary>
internal sealed class TestInception : Module
{
    private readonly Module[] branches;

    public TestInception(int inChannels, int branchChannels)
    {
        branches =
        [
            RegisterModule("branch1", new Conv2d(inChannels, branchChannels, 1)),
            RegisterModule("branch2", new Sequential(new Conv2d(inChannels, branchChannels, 1), new Conv2d(branchChannels, branchChannels, 3, padding: 1))),
            RegisterModule("branch3", new Sequential(new Conv2d(inChannels, branchChannels, 1), new Conv2d(branchChannels, branchChannels, 3, padding: 2, dilation: 2))),
            RegisterModule("branch4", new Sequential(new MaxPool2d(3, 1, padding: 1), new Conv2d(inChannels, branchChannels, 1))),
        ];
    }

    protected override Tensor OnForward(Tensor input) => Tensor.Cat(branches.Select(b => F.Relu(b.Forward(input))).ToArray(), dim: 1);
}

internal static class TestNetworks
{
    /// <summary>ResNet-18 as torchvision builds it (stem, four stages of two BasicBlocks, global average pool, fc).</summary>
    public static Sequential ResNet18(int numClasses = 1000)
    {
        var layers = new List<Module>
        {
            new Conv2d(3, 64, 7, 2, 3, bias: false), new BatchNorm2d(64), new ReLU(), new MaxPool2d(3, 2, 1),
        };
        int channels = 64;
        foreach (var (width, stride) in new[] { (64, 1), (128, 2), (256, 2), (512, 2) })
        {
            layers.Add(new Sequential(new TestBasicBlock(channels, width, stride), new TestBasicBlock(width, width, 1)));
            channels = width;
        }
        layers.AddRange([new AdaptiveAvgPool2d(1), new Flatten(), new Linear(512, numClasses)]);
        return new Sequential([.. layers]);
    }
}
