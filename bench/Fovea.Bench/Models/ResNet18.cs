using Fovea.Nn;

namespace Fovea.Bench.Models;

// ResNet-18 (He et al., 2015) in torchvision's layout and names (conv1, bn1, layer1.0.conv1, ...,
// layer2.0.downsample.0, fc), so that torchvision state dicts would load. A stand-in for the bench
// only: replace it with the model zoo's ResNet (Fovea.Vision.Models) once that is merged.
// Initialisation is the layers' default (PyTorch's per-layer default), not torchvision's Kaiming
// fan-out; that changes no timing.

/// <summary>
/// The residual block of ResNet-18/34 (MISSION.md §7): a^[l+2] = relu(bn2(conv2(relu(bn1(conv1(a^[l]))))) + shortcut),
/// two 3x3 convolutions; the shortcut is a 1x1 convolution + batch norm when the shape changes.
/// </summary>
public sealed class BasicBlock : Module
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;
    private readonly Sequential? downsample;

    public BasicBlock(int inPlanes, int planes, int stride = 1)
    {
        conv1 = RegisterModule("conv1", new Conv2d(inPlanes, planes, 3, stride, padding: 1, bias: false));
        bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
        RegisterModule("relu", new ReLU());
        conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, 1, padding: 1, bias: false));
        bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
        if (stride != 1 || inPlanes != planes)
            downsample = RegisterModule("downsample", new Sequential(
                new Conv2d(inPlanes, planes, 1, stride, bias: false),
                new BatchNorm2d(planes)));
    }

    // x: (N, inPlanes, H, W) -> (N, planes, H/stride, W/stride)
    protected override Tensor OnForward(Tensor input)
    {
        var output = F.Relu(bn1.Forward(conv1.Forward(input)));
        output = bn2.Forward(conv2.Forward(output));
        var shortcut = downsample is null ? input : downsample.Forward(input);
        return F.Relu(output + shortcut);
    }
}

/// <summary>ResNet-18: stem (7x7/2 conv, 3x3/2 max pool), four stages of two BasicBlocks (64, 128, 256, 512 channels), global average pool, fc.</summary>
public sealed class ResNet18 : Module
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly MaxPool2d maxpool;
    private readonly Sequential[] stages;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Linear fc;

    public ResNet18(int numClasses = 1000)
    {
        conv1 = RegisterModule("conv1", new Conv2d(3, 64, 7, 2, padding: 3, bias: false));
        bn1 = RegisterModule("bn1", new BatchNorm2d(64));
        RegisterModule("relu", new ReLU());
        maxpool = RegisterModule("maxpool", new MaxPool2d(3, 2, padding: 1));
        int[] widths = [64, 128, 256, 512];
        stages = new Sequential[widths.Length];
        int inPlanes = 64;
        for (int i = 0; i < widths.Length; i++)
        {
            int stride = i == 0 ? 1 : 2;
            stages[i] = RegisterModule($"layer{i + 1}", new Sequential(
                new BasicBlock(inPlanes, widths[i], stride),
                new BasicBlock(widths[i], widths[i])));
            inPlanes = widths[i];
        }
        avgpool = RegisterModule("avgpool", new AdaptiveAvgPool2d(1));
        fc = RegisterModule("fc", new Linear(512, numClasses));
    }

    // x: (N, 3, 224, 224) -> (N, 64, 56, 56) after the stem -> ... -> (N, 512, 7, 7) -> (N, numClasses)
    protected override Tensor OnForward(Tensor input)
    {
        var x = maxpool.Forward(F.Relu(bn1.Forward(conv1.Forward(input))));
        foreach (var stage in stages) x = stage.Forward(x);
        return fc.Forward(avgpool.Forward(x).Flatten(1));
    }
}
