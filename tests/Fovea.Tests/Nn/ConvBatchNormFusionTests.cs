using Fovea.Nn;
using Fovea.Tests.Memory;
using static Fovea.Tests.Nn.FusionTestSupport;

namespace Fovea.Tests.Nn;

/// <summary>
/// Inference fusion of convolution → batch norm → [ReLU] in Sequential and in the functional op: the fused output equals
/// the modules run one by one (up to float rounding); the inference op does not apply, and everything (values, running
/// statistics, gradients, hooks) is exactly as module by module, in training mode, with gradients needed, without tracked
/// statistics or with hooks (there only the batch norm and ReLU may fuse, bit-identically: see BatchNormActivationTests).
/// </summary>
public sealed class ConvBatchNormFusionTests
{
    public static TheoryData<string> Chains() => new()
    {
        "conv bias, bn, relu", "conv no bias, bn, relu", "bn affine false", "conv, bn (no relu)", "conv1d, bn1d, relu",
        "strided grouped conv", "two chains and a pool",
    };

    private static (Sequential Model, int[] InputShape) Create(string name, Generator random) => name switch
    {
        "conv bias, bn, relu" => (new Sequential(new Conv2d(3, 6, 3, padding: 1, generator: random), new BatchNorm2d(6), new ReLU()), [2, 3, 9, 8]),
        "conv no bias, bn, relu" => (new Sequential(new Conv2d(3, 6, 3, padding: 1, bias: false, generator: random), new BatchNorm2d(6), new ReLU()), [2, 3, 9, 8]),
        "bn affine false" => (new Sequential(new Conv2d(3, 5, 3, generator: random), new BatchNorm2d(5, affine: false), new ReLU()), [2, 3, 7, 9]),
        "conv, bn (no relu)" => (new Sequential(new Conv2d(4, 8, 1, stride: 2, bias: false, generator: random), new BatchNorm2d(8)), [2, 4, 9, 9]),
        "conv1d, bn1d, relu" => (new Sequential(new Conv1d(3, 5, 3, padding: Padding.Same, generator: random), new BatchNorm1d(5), new ReLU()), [2, 3, 13]),
        "strided grouped conv" => (new Sequential(new Conv2d(4, 6, 3, stride: 2, groups: 2, generator: random), new BatchNorm2d(6, eps: 1e-3f), new ReLU()), [3, 4, 10, 11]),
        _ => (new Sequential(
            new Conv2d(3, 8, 3, padding: 1, generator: random), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
            new Conv2d(8, 16, 3, padding: 1, generator: random), new BatchNorm2d(16), new ReLU()), [2, 3, 12, 12]),
    };

    [Theory]
    [MemberData(nameof(Chains))]
    public void SequentialMatchesTheModulesOneByOne(string name)
    {
        var random = new Generator(41);
        var (model, inputShape) = Create(name, random);
        WithRandomStatistics(model, 42).Eval();
        var x = Tensor.Randn(new Shape(inputShape), random);
        using (Autograd.NoGrad())
            Assert.True(LayerFusion.CanFuse((ConvNd)model[0], (BatchNormBase)model[1], x, relu: model.Count > 2 ? model[2] as ReLU : null));

        var (fused, unfused) = EvalBothWays(model, x);
        AssertClose(unfused, fused, name);
        if (model[model.Count - 1] is ReLU) Assert.Contains(fused.ToArray(), v => v == 0f); // some outputs clipped: the ReLU matters
        else Assert.Contains(fused.ToArray(), v => v < 0f);                                  // no ReLU applied

        // The unfused reference is the plain ops, too.
        using (Autograd.NoGrad())
        {
            var convolution = (ConvNd)model[0];
            var norm = (BatchNormBase)model[1];
            var expected = F.BatchNorm(convolution.Forward(x), norm.RunningMean, norm.RunningVar, norm.Weight, norm.Bias, eps: norm.Eps);
            if (model.Count == 3) AssertClose(F.Relu(expected), fused, name + " (ops)");
        }
    }

    [Fact]
    public void ReluWithHooksRunsOnItsOwnAfterTheFusedPair()
    {
        var random = new Generator(5);
        var (model, inputShape) = Create("conv bias, bn, relu", random);
        WithRandomStatistics(model, 6).Eval();
        var x = Tensor.Randn(new Shape(inputShape), random);
        Tensor? seen = null;
        int calls = 0;
        using var hook = model[2].RegisterForwardHook((_, input, _) => { seen = input; calls++; });
        using (Autograd.NoGrad())
        {
            var output = model.Forward(x);
            Assert.Equal(1, calls);
            Assert.Contains(seen!.ToArray(), v => v < 0f); // the batch norm's output, before the ReLU
            AssertIdentical(F.Relu(seen), output);
            var norm = (BatchNormBase)model[1];
            AssertClose(F.BatchNorm(model[0].Forward(x), norm.RunningMean, norm.RunningVar, norm.Weight, norm.Bias, eps: norm.Eps), seen, "relu hook input");
        }
    }

    [Fact]
    public void HooksOnTheConvolutionOrBatchNormStopFusionAndFire()
    {
        var random = new Generator(7);
        foreach (int hooked in new[] { 0, 1 })
        {
            var (model, inputShape) = Create("conv bias, bn, relu", random);
            WithRandomStatistics(model, 8).Eval();
            var (convolution, norm) = ((ConvNd)model[0], (BatchNormBase)model[1]);
            var x = Tensor.Randn(new Shape(inputShape), random);
            int calls = 0;
            Tensor? seen = null;
            using var hook = model[hooked].RegisterForwardHook((_, _, output) => { calls++; seen = output; });
            using var noGrad = Autograd.NoGrad();
            Assert.False(LayerFusion.CanFuse(convolution, norm, x, relu: (ReLU)model[2]));
            var output = model.Forward(x);
            Assert.Equal(1, calls);
            // Exactly the ops one by one, and the hook saw its module's own output.
            var convolved = F.Conv2d(x, convolution.Weight, convolution.Bias, padding: 1);
            var normalised = F.BatchNorm(convolved, norm.RunningMean, norm.RunningVar, norm.Weight, norm.Bias, eps: norm.Eps);
            AssertIdentical(hooked == 0 ? convolved : normalised, seen!);
            AssertIdentical(F.Relu(normalised), output);
        }
    }

    /// <summary>Two copies of the same model (same seeds): one as is, one forced to run module by module.</summary>
    private static (Sequential Plain, Sequential Reference, IDisposable Hooks) Twins(string name, Func<Sequential, Sequential>? adjust = null)
    {
        adjust ??= m => m;
        var plain = adjust(WithRandomStatistics(Create(name, new Generator(21)).Model, 22));
        var reference = adjust(WithRandomStatistics(Create(name, new Generator(21)).Model, 22));
        return (plain, reference, Unfused(reference));
    }

    [Fact]
    public void TrainingModeGivesExactlyTheModulesResults()
    {
        // Train mode (the default), gradients on: values, running statistics and gradients exactly as module by module.
        var (plain, reference, hooks) = Twins("two chains and a pool");
        using (hooks)
        {
            var x = Tensor.Randn(new Shape(2, 3, 12, 12), new Generator(23));
            var (output, expected) = (plain.Forward(x), reference.Forward(x));
            AssertIdentical(expected, output);
            var gradOutput = Tensor.Randn(output.Shape, new Generator(24));
            output.Backward(gradOutput);
            expected.Backward(gradOutput);
            foreach (var ((name, actual), (_, wanted)) in plain.NamedParameters().Zip(reference.NamedParameters()))
                AssertIdentical(wanted.Grad!, actual.Grad!);
            foreach (var ((_, actual), (_, wanted)) in plain.NamedBuffers().Zip(reference.NamedBuffers()))
                AssertIdentical(wanted, actual);

            // Train mode without gradients (e.g. recalibrating the statistics): batch statistics, not fused.
            using (Autograd.NoGrad())
                AssertIdentical(reference.Forward(x), plain.Forward(x));
            foreach (var ((_, actual), (_, wanted)) in plain.NamedBuffers().Zip(reference.NamedBuffers()))
                AssertIdentical(wanted, actual);
        }
    }

    [Fact]
    public void EvalWithGradientsNeededIsUnchanged()
    {
        var (plain, reference, hooks) = Twins("conv bias, bn, relu");
        using (hooks)
        {
            plain.Eval();
            reference.Eval();
            var x = Tensor.Randn(new Shape(2, 3, 9, 8), new Generator(25)).RequiresGradient();
            Assert.False(LayerFusion.CanFuse((ConvNd)plain[0], (BatchNormBase)plain[1], x, relu: (ReLU)plain[2]));
            var output = plain.Forward(x);
            Assert.True(output.RequiresGrad);
            var expected = reference.Forward(x);
            AssertIdentical(expected, output);
            output.Backward(Tensor.OnesLike(output));
            var gradX = x.Grad!.ToArray();
            x.Grad = null;
            expected.Backward(Tensor.OnesLike(expected));
            Assert.Equal(x.Grad!.ToArray(), gradX);
            foreach (var ((_, actual), (_, wanted)) in plain.NamedParameters().Zip(reference.NamedParameters()))
                AssertIdentical(wanted.Grad!, actual.Grad!);

            // Only the input needs no gradient: the parameters still do, so no fusion.
            var constant = Tensor.Randn(new Shape(2, 3, 9, 8), new Generator(26));
            Assert.False(LayerFusion.CanFuse((ConvNd)plain[0], (BatchNormBase)plain[1], constant));
            AssertIdentical(reference.Forward(constant), plain.Forward(constant));
        }
    }

    [Fact]
    public void EvalWithNothingRequiringGradFusesEvenWithGradientsOn()
    {
        var (model, inputShape) = Create("conv bias, bn, relu", new Generator(27));
        WithRandomStatistics(model, 28).Eval();
        foreach (var parameter in model.Parameters()) parameter.RequiresGrad = false;
        var x = Tensor.Randn(new Shape(inputShape), new Generator(29));
        Assert.True(Autograd.IsEnabled);
        Assert.True(LayerFusion.CanFuse((ConvNd)model[0], (BatchNormBase)model[1], x, relu: (ReLU)model[2]));
        var fused = model.Forward(x);
        Assert.False(fused.RequiresGrad);
        using (Unfused(model))
            AssertClose(model.Forward(x), fused, "nothing requires grad");
    }

    [Fact]
    public void UntrackedStatisticsDoNotFuse()
    {
        // Without running statistics an eval batch norm normalises with the batch's own statistics: nothing to fold.
        var (plain, reference, hooks) = Twins("conv bias, bn, relu", m => new Sequential(m[0], new BatchNorm2d(6, trackRunningStats: false), m[2]));
        using (hooks)
        {
            plain.Eval();
            reference.Eval();
            var x = Tensor.Randn(new Shape(2, 3, 9, 8), new Generator(30));
            using var noGrad = Autograd.NoGrad();
            Assert.False(LayerFusion.CanFuse((ConvNd)plain[0], (BatchNormBase)plain[1], x));
            AssertIdentical(reference.Forward(x), plain.Forward(x));
        }
    }

    [Fact]
    public void UnbatchedInputAndMismatchedLayersAreLeftToTheModules()
    {
        var random = new Generator(31);
        using var noGrad = Autograd.NoGrad();
        // Conv2d's unbatched input (C, H, W) gives a rank-3 output, which BatchNorm2d rejects: the modules report it.
        var (model, _) = Create("conv bias, bn, relu", random);
        model.Eval();
        var unbatched = Tensor.Randn(new Shape(3, 9, 8), random);
        Assert.False(LayerFusion.CanFuse((ConvNd)model[0], (BatchNormBase)model[1], unbatched));
        var error = Assert.Throws<ArgumentException>(() => model.Forward(unbatched));
        Assert.Contains("BatchNorm2d", error.Message);
        // A batch norm with the wrong number of features fails as it does unfused.
        var (narrow, wide) = (new Conv2d(3, 4, 3, generator: random), new BatchNorm2d(5));
        var wrong = new Sequential(narrow, wide);
        wrong.Eval();
        var x = Tensor.Randn(new Shape(1, 3, 6, 6), random);
        Assert.False(LayerFusion.CanFuse(narrow, wide, x));
        Assert.Contains("expected 5", Assert.Throws<ArgumentException>(() => wrong.Forward(x)).Message);
        // Conv3d with BatchNorm1d: not a pair the fusion knows.
        var norm1d = new BatchNorm1d(2);
        norm1d.Eval();
        Assert.False(LayerFusion.CanFuse(new Conv3d(1, 2, 1), norm1d, Tensor.Zeros(1, 1, 2, 2, 2)));
    }
}

/// <summary>The fused Sequential allocates one output where the modules allocate three (an allocation count on the test's
/// thread with the storage pool off, not a timing): evidence that the fused path runs.</summary>
[Collection(StoragePoolCollection.Name)]
public sealed class ConvBatchNormFusionAllocationTests
{
    [Fact]
    public void FusedForwardAllocatesOneOutputInsteadOfThree()
    {
        var random = new Generator(33);
        var model = new Sequential(new Conv2d(3, 6, 3, padding: 1, generator: random), new BatchNorm2d(6), new ReLU());
        WithRandomStatistics(model, 34).Eval();
        var x = Tensor.Randn(new Shape(2, 3, 64, 64), random);
        long outputBytes = 4L * 2 * 6 * 64 * 64;
        long Allocated()
        {
            using var noGrad = Autograd.NoGrad();
            model.Forward(x); // warm up (JIT, thread pool)
            long before = GC.GetAllocatedBytesForCurrentThread();
            model.Forward(x);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        bool saved = StoragePool.Enabled;
        StoragePool.Enabled = false; // every output from the GC, counted on this thread
        try
        {
            long fused = Allocated();
            long unfused;
            using (Unfused(model)) unfused = Allocated();
            Assert.True(fused < outputBytes * 3 / 2, $"fused: {fused:N0} bytes, one output is {outputBytes:N0}");
            Assert.True(unfused > outputBytes * 5 / 2, $"unfused: {unfused:N0} bytes, one output is {outputBytes:N0}");
        }
        finally { StoragePool.Enabled = saved; }
    }
}
