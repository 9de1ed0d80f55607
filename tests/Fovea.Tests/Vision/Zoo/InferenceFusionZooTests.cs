using Fovea.Nn;
using Fovea.Tests.Memory;
using Fovea.Vision.Models;
using static Fovea.Tests.Nn.FusionTestSupport;

namespace Fovea.Tests.Vision.Zoo;

/// <summary>
/// The zoo's models at inference (eval, NoGrad) with their convolution → batch norm → [+ shortcut] → ReLU chains fused,
/// against the same models run module by module (a no-op hook on every convolution, batch norm and ReLU switches fusion
/// off); and the cases where the inference op must not apply (the blocks' ReLU hooked, training) giving exactly the
/// unfused results (there the batch norm, shortcut and ReLU still run as one op, bit-identical to the modules).
/// </summary>
public sealed class InferenceFusionZooTests
{
    public static TheoryData<string> Blocks() => new() { "basic block", "basic block with projection", "bottleneck with projection" };

    private static ResidualBlock Block(string name) => name switch
    {
        "basic block" => new BasicBlock(6, 6, generator: new Generator(60)),
        "basic block with projection" => new BasicBlock(4, 6, stride: 2, ResidualBlock.Projection(4, 6, 2, new Generator(61)), new Generator(62)),
        _ => new Bottleneck(5, 3, stride: 2, ResidualBlock.Projection(5, 12, 2, new Generator(63)), new Generator(64)),
    };

    private static int InChannels(ResidualBlock block) =>
        block.NamedModules().Select(m => m.Module).OfType<Conv2d>().First().InChannels;

    [Theory]
    [MemberData(nameof(Blocks))]
    public void ResidualBlocksMatchTheModulesOneByOne(string name)
    {
        var block = WithRandomStatistics(Block(name), 65);
        var x = Tensor.Randn(new Shape(2, InChannels(block), 9, 10), new Generator(66));
        var (fused, unfused) = EvalBothWays(block, x);
        AssertClose(unfused, fused, name);
        Assert.Contains(fused.ToArray(), v => v == 0f);
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void HookedReluStopsEveryFusionInvolvingIt(string name)
    {
        var block = WithRandomStatistics(Block(name), 67);
        block.Eval();
        var x = Tensor.Randn(new Shape(2, InChannels(block), 9, 10), new Generator(68));
        var relu = block.NamedModules().Single(m => m.Name == "relu").Module;
        int calls = 0;
        using var noGrad = Autograd.NoGrad();
        // The shortcut projection (conv, bn) does not involve the ReLU and still fuses: switch it off too, so that
        // the result must be exactly the modules one by one.
        using var projection = block.Downsample is null ? null : Unfused(block.Downsample);
        Tensor output;
        using (relu.RegisterForwardHook((_, _, _) => calls++))
            output = block.Forward(x);
        // BasicBlock calls its ReLU twice per forward, Bottleneck three times: each call seen by the hook.
        Assert.Equal(block is BasicBlock ? 2 : 3, calls);
        using (Unfused(block))
            AssertIdentical(block.Forward(x), output);
    }

    [Fact]
    public void ResNet18()
    {
        var model = WithRandomStatistics(ResNet.ResNet18(numClasses: 10, generator: new Generator(69)), 70);
        var x = Tensor.Randn(new Shape(1, 3, 64, 64), new Generator(71));
        var (fused, unfused) = EvalBothWays(model, x);
        AssertClose(unfused, fused, "resnet18");
    }

    [Fact]
    public void ResNetMnistFromTheZooAndItsTrainingUnchanged()
    {
        Module model = WithRandomStatistics(ModelZoo.Create("resnet_mnist"), 72);
        var x = Tensor.Randn(new Shape(3, 1, 28, 28), new Generator(73));
        var (fused, unfused) = EvalBothWays(model, x);
        AssertClose(unfused, fused, "resnet_mnist");

        // Training mode, gradients on: only the batch norm (+ shortcut) + ReLU fuse, and loss, gradients and running
        // statistics are exactly as module by module.
        model = ResNet.ResNetMnist(generator: new Generator(83));
        var twin = ResNet.ResNetMnist(generator: new Generator(83));
        using (Unfused(twin))
        {
            var labels = new[] { 1, 7, 3 };
            var loss = F.CrossEntropy(model.Forward(x), labels);
            var expected = F.CrossEntropy(twin.Forward(x), labels);
            Assert.Equal(expected.Item(), loss.Item());
            loss.Backward();
            expected.Backward();
            foreach (var ((name, actual), (_, wanted)) in model.NamedParameters().Zip(twin.NamedParameters()))
                Assert.True(wanted.Grad!.ToArray().SequenceEqual(actual.Grad!.ToArray()), name);
            foreach (var ((name, actual), (_, wanted)) in model.NamedBuffers().Zip(twin.NamedBuffers()))
                Assert.True(wanted.ToArray().SequenceEqual(actual.ToArray()), name);
        }
    }

    [Fact]
    public void VggWithBatchNorm()
    {
        // VGG-11's layout, narrow (the full one's classifier holds 400 MB of weights).
        var model = WithRandomStatistics(new Vgg([8, Vgg.Pool, 16, Vgg.Pool, 16, 16, Vgg.Pool], batchNorm: true, numClasses: 10,
            hiddenFeatures: 32, generator: new Generator(74)), 75);
        var x = Tensor.Randn(new Shape(2, 3, 32, 32), new Generator(76));
        var (fused, unfused) = EvalBothWays(model, x);
        AssertClose(unfused, fused, "vgg bn");
    }

    [Fact]
    public void GoogLeNet()
    {
        var model = WithRandomStatistics(new GoogLeNet(numClasses: 10, generator: new Generator(77)), 78);
        var x = Tensor.Randn(new Shape(1, 3, 64, 64), new Generator(79));
        var (fused, unfused) = EvalBothWays(model, x);
        AssertClose(unfused, fused, "googlenet");
    }
}

/// <summary>A residual block at inference allocates its two convolution outputs (three with the projection) instead of
/// nine to eleven tensors: evidence that the fused path runs (an allocation count with the storage pool off).</summary>
[Collection(StoragePoolCollection.Name)]
public sealed class InferenceFusionZooAllocationTests
{
    [Fact]
    public void BasicBlockAllocatesOnlyTheConvolutionOutputs()
    {
        var block = WithRandomStatistics(new BasicBlock(8, 8, generator: new Generator(80)), 81);
        block.Eval();
        var x = Tensor.Randn(new Shape(2, 8, 32, 32), new Generator(82));
        long outputBytes = 4L * x.Size;
        long Allocated()
        {
            using var noGrad = Autograd.NoGrad();
            block.Forward(x); // warm up
            long before = GC.GetAllocatedBytesForCurrentThread();
            block.Forward(x);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        bool saved = StoragePool.Enabled;
        StoragePool.Enabled = false;
        try
        {
            long fused = Allocated();
            long unfused;
            using (Unfused(block)) unfused = Allocated();
            Assert.True(fused < outputBytes * 5 / 2, $"fused: {fused:N0} bytes, one output is {outputBytes:N0}");
            Assert.True(unfused > outputBytes * 6, $"unfused: {unfused:N0} bytes, one output is {outputBytes:N0}");
        }
        finally { StoragePool.Enabled = saved; }
    }
}
