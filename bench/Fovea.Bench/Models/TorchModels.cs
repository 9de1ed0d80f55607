using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using TorchTensor = TorchSharp.torch.Tensor;

namespace Fovea.Bench.Models;

// The LibTorch side's models, built from TorchSharp modules exactly as torchvision (ResNet-18) and
// the Fovea model zoo (LeNet-5) define them, including torchvision's in-place ReLU and residual add.

internal static class TorchModels
{
    /// <summary>LeNet-5 as Fovea.Vision.Models.LeNet.LeNet5(): same layers, sizes and order.</summary>
    public static nn.Module<TorchTensor, TorchTensor> LeNet5(int numClasses = 10) => nn.Sequential(
        nn.Conv2d(1, 6, 5, padding: 2), nn.ReLU(), nn.MaxPool2d(2),   // (N, 1, 28, 28) -> (N, 6, 14, 14)
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),              // -> (N, 16, 5, 5)
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, numClasses));
}

/// <summary>torchvision.models.resnet.BasicBlock.</summary>
internal sealed class TorchBasicBlock : nn.Module<TorchTensor, TorchTensor>
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;
    private readonly ReLU relu;
    private readonly Sequential? downsample;

    public TorchBasicBlock(long inPlanes, long planes, long stride = 1) : base(nameof(TorchBasicBlock))
    {
        conv1 = nn.Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(planes);
        relu = nn.ReLU(inplace: true);
        conv2 = nn.Conv2d(planes, planes, 3, stride: 1, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        if (stride != 1 || inPlanes != planes)
            downsample = nn.Sequential(nn.Conv2d(inPlanes, planes, 1, stride: stride, bias: false), nn.BatchNorm2d(planes));
        RegisterComponents();
    }

    public override TorchTensor forward(TorchTensor input)
    {
        var output = relu.forward(bn1.forward(conv1.forward(input)));
        output = bn2.forward(conv2.forward(output));
        var identity = downsample is null ? input : downsample.forward(input);
        output.add_(identity);
        return relu.forward(output);
    }
}

/// <summary>torchvision.models.resnet18: stem, four stages of two BasicBlocks, global average pool, fc.</summary>
internal sealed class TorchResNet18 : nn.Module<TorchTensor, TorchTensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly ReLU relu;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1, layer2, layer3, layer4;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Linear fc;

    public TorchResNet18(long numClasses = 1000) : base(nameof(TorchResNet18))
    {
        conv1 = nn.Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = nn.BatchNorm2d(64);
        relu = nn.ReLU(inplace: true);
        maxpool = nn.MaxPool2d(3, stride: 2, padding: 1);
        layer1 = Stage(64, 64, 1);
        layer2 = Stage(64, 128, 2);
        layer3 = Stage(128, 256, 2);
        layer4 = Stage(256, 512, 2);
        avgpool = nn.AdaptiveAvgPool2d(1);
        fc = nn.Linear(512, numClasses);
        RegisterComponents();
    }

    private static Sequential Stage(long inPlanes, long planes, long stride) =>
        nn.Sequential(new TorchBasicBlock(inPlanes, planes, stride), new TorchBasicBlock(planes, planes));

    public override TorchTensor forward(TorchTensor input)
    {
        var x = maxpool.forward(relu.forward(bn1.forward(conv1.forward(input))));
        x = layer4.forward(layer3.forward(layer2.forward(layer1.forward(x))));
        return fc.forward(avgpool.forward(x).flatten(1));
    }
}
