using Fovea.Nn;
using Fovea.Optim;
using Fovea.Tests.Memory;
using Fovea.Vision.Models;
using static Fovea.Tests.Nn.BatchNormReluFusionTests;
using static Fovea.Tests.Nn.FusionTestSupport;

namespace Fovea.Tests.Vision.Zoo;

/// <summary>
/// The zoo's models in training with batch norm → [+ shortcut] → ReLU fused (<see cref="LayerFusion"/>), against twins
/// run module by module (no-op hooks on every convolution, batch norm and ReLU): loss, every parameter gradient and the
/// running statistics bit-identical over optimizer steps; hooks keep their module out and fire.
/// </summary>
public sealed class LayerFusionTrainingTests
{
    private static void TrainTwinsAndCompare(Module model, Module twin, Func<int, Tensor> input, int[] labels, int steps = 2)
    {
        var (optimizer, twinOptimizer) = (new Sgd(model.Parameters(), lr: 0.05f, momentum: 0.9f), new Sgd(twin.Parameters(), lr: 0.05f, momentum: 0.9f));
        using var hooks = Unfused(twin);
        for (int step = 0; step < steps; step++)
        {
            var x = input(step);
            var logits = model.Forward(x);
            var expectedLogits = twin.Forward(x);
            var names = OpNames(logits);
            Assert.Contains("batch_norm_relu", names);
            Assert.DoesNotContain(OpNames(expectedLogits), op => op.StartsWith("batch_norm_", StringComparison.Ordinal));
            var (loss, expected) = (F.CrossEntropy(logits, labels), F.CrossEntropy(expectedLogits, labels));
            Assert.Equal(BitConverter.SingleToInt32Bits(expected.Item()), BitConverter.SingleToInt32Bits(loss.Item()));
            optimizer.ZeroGrad();
            twinOptimizer.ZeroGrad();
            loss.Backward();
            expected.Backward();
            foreach (var ((name, actual), (_, wanted)) in model.NamedParameters().Zip(twin.NamedParameters()))
                Assert.True(wanted.Grad!.ToArray().SequenceEqual(actual.Grad!.ToArray()), $"step {step}: {name} gradient");
            foreach (var ((name, actual), (_, wanted)) in model.NamedBuffers().Zip(twin.NamedBuffers()))
                Assert.True(wanted.ToArray().SequenceEqual(actual.ToArray()), $"step {step}: {name}");
            optimizer.Step();
            twinOptimizer.Step();
        }
    }

    [Fact]
    public void ResNet18TrainingStepsAreBitIdentical()
    {
        var model = ResNet.ResNet18(numClasses: 10, generator: new Generator(120));
        var twin = ResNet.ResNet18(numClasses: 10, generator: new Generator(120));
        TrainTwinsAndCompare(model, twin, step => Tensor.Randn(new Shape(2, 3, 64, 64), new Generator(121 + (ulong)step)), [3, 8]);
        // Every block ends in one fused op, and the stem and each block's first batch norm fuse with their ReLU.
        var names = OpNames(model.Forward(Tensor.Randn(new Shape(2, 3, 64, 64), new Generator(123))));
        Assert.Equal(8, names.Count(op => op == "batch_norm_add_relu"));
        Assert.Equal(9, names.Count(op => op == "batch_norm_relu"));
        Assert.DoesNotContain("relu", names);
        Assert.DoesNotContain("add", names);
    }

    [Fact]
    public void ResNetMnistTrainingStepsAreBitIdentical()
    {
        var model = ResNet.ResNetMnist(generator: new Generator(124));
        var twin = ResNet.ResNetMnist(generator: new Generator(124));
        TrainTwinsAndCompare(model, twin, step => Tensor.Randn(new Shape(4, 1, 28, 28), new Generator(125 + (ulong)step)), [1, 7, 3, 0], steps: 3);
    }

    [Fact]
    public void BottleneckAndBasicConv2dTrainingStepsAreBitIdentical()
    {
        Module Network(ulong seed)
        {
            var random = new Generator(seed);
            return new Sequential(new BasicConv2d(3, 5, 3, padding: 1, generator: random),
                new Bottleneck(5, 3, stride: 2, ResidualBlock.Projection(5, 12, 2, random), random),
                new AdaptiveAvgPool2d(1, 1), new Flatten(), new Linear(12, 4, generator: random));
        }
        TrainTwinsAndCompare(Network(126), Network(126), step => Tensor.Randn(new Shape(3, 3, 10, 9), new Generator(127 + (ulong)step)), [0, 3, 2]);
    }

    [Fact]
    public void HooksInABasicBlockKeepTheirModuleOutAndFire()
    {
        var block = new BasicBlock(4, 4, generator: new Generator(128));
        var twin = new BasicBlock(4, 4, generator: new Generator(128));
        var x = Tensor.Randn(new Shape(2, 4, 6, 6), new Generator(129)).RequiresGradient();
        var modules = block.NamedModules().ToDictionary(m => m.Name, m => m.Module);

        var seen = new List<(string Module, Tensor Input, Tensor Output)>();
        using (modules["bn2"].RegisterForwardHook((_, input, output) => seen.Add(("bn2", input, output))))
        using (modules["relu"].RegisterForwardHook((_, input, output) => seen.Add(("relu", input, output))))
        using (Unfused(twin))
        {
            var output = block.Forward(x);
            // relu (after bn1, which alone fuses with nothing: its ReLU is hooked), bn2, relu (after + shortcut).
            Assert.Equal(new[] { "relu", "bn2", "relu" }, seen.Select(s => s.Module));
            Assert.Equal("batch_norm", seen[1].Output.GradFn!.OpName);
            Assert.Contains(seen[1].Output.ToArray(), v => v < 0f);
            Assert.Equal("add", seen[2].Input.GradFn!.OpName);
            AssertIdentical(seen[2].Output, output);
            AssertIdentical(twin.Forward(x.Detach()), output);
        }

        // Only bn2 hooked: bn1 and its ReLU fuse; bn2, + shortcut and the ReLU run one by one.
        seen.Clear();
        using (modules["bn2"].RegisterForwardHook((_, input, output) => seen.Add(("bn2", input, output))))
        {
            var names = OpNames(block.Forward(x));
            Assert.Single(seen);
            Assert.Contains("batch_norm_relu", names);
            Assert.DoesNotContain("batch_norm_add_relu", names);
            Assert.Contains("relu", names);
        }
    }
}

/// <summary>
/// The memory effect of the fusion in a training forward pass of a BasicBlock: the graph keeps four activations instead
/// of seven (the batch norm outputs and the sum are neither kept nor, as the allocation count with the storage pool off
/// shows, ever allocated).
/// </summary>
[Collection(StoragePoolCollection.Name)]
public sealed class LayerFusionTrainingMemoryTests
{
    /// <summary>The distinct storages of the non-leaf tensors the graph behind <paramref name="output"/> keeps alive.</summary>
    private static int KeptActivations(Tensor output)
    {
        var (storages, seen, stack) = (new HashSet<float[]>(ReferenceEqualityComparer.Instance), new HashSet<Tensor>(ReferenceEqualityComparer.Instance), new Stack<Tensor>([output]));
        while (stack.TryPop(out var tensor))
            if (seen.Add(tensor) && tensor.GradFn is { } node)
            {
                storages.Add(tensor.Data);
                foreach (var input in node.Inputs) stack.Push(input);
            }
        return storages.Count;
    }

    [Fact]
    public void BasicBlockTrainingForwardKeepsAndAllocatesFourActivationsInsteadOfSeven()
    {
        var block = new BasicBlock(16, 16, generator: new Generator(130));
        var x = Tensor.Randn(new Shape(4, 16, 32, 32), new Generator(131)).RequiresGradient();
        long outputBytes = 4L * x.Size;
        (long Bytes, int Kept) Forward()
        {
            block.Forward(x); // warm up (JIT, thread pool, scratch)
            long before = GC.GetAllocatedBytesForCurrentThread();
            var output = block.Forward(x);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return (allocated, KeptActivations(output));
        }
        bool saved = StoragePool.Enabled;
        StoragePool.Enabled = false; // every output from the GC, counted on this thread
        try
        {
            var fused = Forward();
            (long Bytes, int Kept) unfused;
            using (Unfused(block)) unfused = Forward();
            // conv1, relu(bn1), conv2, relu(bn2 + x)  against  conv1, bn1, relu, conv2, bn2, sum, relu.
            Assert.Equal(4, fused.Kept);
            Assert.Equal(7, unfused.Kept);
            Assert.True(fused.Bytes < outputBytes * 9 / 2, $"fused: {fused.Bytes:N0} bytes allocated, one output is {outputBytes:N0}");
            Assert.True(unfused.Bytes > outputBytes * 13 / 2, $"unfused: {unfused.Bytes:N0} bytes allocated, one output is {outputBytes:N0}");
        }
        finally { StoragePool.Enabled = saved; }
    }
}
