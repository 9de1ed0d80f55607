using Fovea.Nn;
using Fovea.Optim;
using Fovea.Tests.Infrastructure;
using Fovea.Vision.Models;

namespace Fovea.Tests.Vision.Zoo;

/// <summary>
/// The zoo's building blocks and models beyond the golden outputs: gradients through the residual and Inception
/// blocks, torchvision's initialisations, input sizes, training-mode behaviour, argument checks.
/// </summary>
public sealed class ZooModelTests
{
    // ---- gradients through the blocks (eval mode, random running statistics) ----

    private static T WithRandomStatistics<T>(T module, int seed) where T : Module
    {
        var generator = new Generator((ulong)seed);
        foreach (var norm in module.NamedModules().Select(m => m.Module).OfType<BatchNorm2d>())
        {
            Init.Uniform(norm.RunningMean!, -0.3f, 0.3f, generator);
            Init.Uniform(norm.RunningVar!, 0.5f, 1.5f, generator);
            Init.Uniform(norm.Weight!, 0.5f, 1.5f, generator);
            Init.Uniform(norm.Bias!, -0.3f, 0.3f, generator);
        }
        module.Eval();
        return module;
    }

    [Fact]
    public void BasicBlockWithProjectionGradientCheck()
    {
        var block = WithRandomStatistics(new BasicBlock(2, 3, stride: 2, ResidualBlock.Projection(2, 3, 2, new Generator(1)), new Generator(2)), 3);
        GradCheck.Check(x => block.Forward(x[0]), GradCheck.RandomInputs(4, [2, 2, 5, 5]), label: "BasicBlock");
    }

    [Fact]
    public void BasicBlockWithIdentityShortcutGradientCheck()
    {
        var block = WithRandomStatistics(new BasicBlock(3, 3, generator: new Generator(5)), 6);
        Assert.Null(block.Downsample);
        GradCheck.Check(x => block.Forward(x[0]), GradCheck.RandomInputs(7, [1, 3, 4, 4]), label: "BasicBlock identity");
    }

    [Fact]
    public void BottleneckWithProjectionGradientCheck()
    {
        var block = WithRandomStatistics(new Bottleneck(3, 2, stride: 2, ResidualBlock.Projection(3, 8, 2, new Generator(8)), new Generator(9)), 10);
        GradCheck.Check(x => block.Forward(x[0]), GradCheck.RandomInputs(11, [2, 3, 5, 4]), label: "Bottleneck");
    }

    [Fact]
    public void InceptionGradientCheckAndChannels()
    {
        var inception = WithRandomStatistics(new Inception(3, 2, 2, 3, 1, 2, 2, new Generator(12)), 13);
        Assert.Equal(2 + 3 + 2 + 2, inception.OutChannels);
        var x = GradCheck.RandomInputs(14, [2, 3, 4, 5]);
        Assert.Equal(new Shape(2, 9, 4, 5), inception.Forward(x[0]).Shape);
        GradCheck.Check(v => inception.Forward(v[0]), x, label: "Inception");
    }

    [Fact]
    public void InceptionAuxGradientCheck()
    {
        var aux = WithRandomStatistics(new InceptionAux(3, 4, convChannels: 2, hiddenFeatures: 5, generator: new Generator(15)), 16);
        GradCheck.Check(x => aux.Forward(x[0]), GradCheck.RandomInputs(17, [2, 3, 6, 5]), label: "InceptionAux");
    }

    [Fact]
    public void NarrowResNetLearnsAFixedBatch()
    {
        // Backward through the whole network: a few SGD steps on one batch must drive the loss down.
        var model = new ResNet(ResNetBlock.Basic, [1, 1], numClasses: 3, inChannels: 1, baseWidth: 4, stem: ResNetStem.Small, generator: new Generator(18));
        var x = Tensor.Randn(new Shape(6, 1, 8, 8), new Generator(19));
        int[] y = [0, 1, 2, 0, 1, 2];
        var optimizer = new Sgd(model.Parameters(), lr: 0.1f, momentum: 0.9f);
        float first = 0, last = 0;
        for (int step = 0; step < 30; step++)
        {
            var loss = F.CrossEntropy(model.Forward(x), y);
            if (step == 0) first = loss.Item();
            last = loss.Item();
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
        }
        Assert.True(last < 0.2f * first, $"loss went from {first} to {last}");
    }

    // ---- initialisation ----

    private static (double Mean, double Std) Moments(Tensor t)
    {
        var span = t.ReadOnlySpan;
        double mean = 0, square = 0;
        foreach (float v in span) { mean += v; square += (double)v * v; }
        mean /= span.Length;
        return (mean, Math.Sqrt(square / span.Length - mean * mean));
    }

    private static void AssertStd(double expected, Tensor t, string label)
    {
        var (mean, std) = Moments(t);
        Assert.True(Math.Abs(mean) < 0.05 * expected, $"{label}: mean {mean}, expected ~0 (std {expected})");
        Assert.True(Math.Abs(std / expected - 1) < 0.03, $"{label}: std {std}, expected {expected}");
    }

    [Fact]
    public void ResNetInitialisationIsTorchvisions()
    {
        var model = new ResNet(ResNetBlock.Bottleneck, [1, 1, 1, 1], numClasses: 10, generator: new Generator(20));
        var state = model.StateDict();
        // kaiming_normal_(mode="fan_out", nonlinearity="relu"): std = √(2 / (out·k·k)).
        AssertStd(Math.Sqrt(2.0 / (512 * 9)), state["layer4.0.conv2.weight"], "layer4.0.conv2 (512, 512, 3, 3)");
        AssertStd(Math.Sqrt(2.0 / (2048 * 1)), state["layer4.0.conv3.weight"], "layer4.0.conv3 (2048, 512, 1, 1)");
        AssertStd(Math.Sqrt(2.0 / (64 * 49)), state["conv1.weight"], "conv1 (64, 3, 7, 7)");
        foreach (var (name, tensor) in state.Where(kv => kv.Key.Contains("bn") || kv.Key.EndsWith(".1.weight") || kv.Key.EndsWith(".1.bias")))
        {
            if (name.EndsWith("weight")) Assert.All(tensor.ToArray(), v => Assert.Equal(1f, v));
            if (name.EndsWith("bias")) Assert.All(tensor.ToArray(), v => Assert.Equal(0f, v));
        }
        // fc keeps PyTorch's default U(±1/√fan_in).
        float bound = 1f / MathF.Sqrt(2048);
        Assert.All(state["fc.bias"].ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.Contains(state["fc.bias"].ToArray(), v => v != 0f);
    }

    [Fact]
    public void ZeroInitResidualZeroesEachBlocksLastNorm()
    {
        var basic = new ResNet(ResNetBlock.Basic, [2, 1], numClasses: 2, baseWidth: 4, zeroInitResidual: true);
        var bottleneck = new ResNet(ResNetBlock.Bottleneck, [1, 2], numClasses: 2, baseWidth: 4, zeroInitResidual: true);
        foreach (var (model, last) in new[] { (basic, "bn2"), (bottleneck, "bn3") })
            foreach (var (name, tensor) in model.StateDict())
            {
                bool isLast = name.EndsWith($".{last}.weight");
                if (isLast || name.EndsWith("bn1.weight"))
                    Assert.All(tensor.ToArray(), v => Assert.Equal(isLast ? 0f : 1f, v));
            }
        // A block whose last γ is 0 starts as g(a + 0): the identity for non-negative inputs.
        var block = new BasicBlock(3, 3);
        Init.Zeros(block.LastNorm.Weight!);
        block.Eval();
        var x = Tensor.Rand(new Shape(1, 3, 4, 4), new Generator(21));
        TensorAssert.Close(x, block.Forward(x), 0f, 0f, "zero-initialised BasicBlock");
    }

    [Fact]
    public void VggInitialisationIsTorchvisions()
    {
        var model = new Vgg([16, Vgg.Pool, 32, Vgg.Pool], batchNorm: true, numClasses: 10, hiddenFeatures: 512, generator: new Generator(22));
        var state = model.StateDict();
        AssertStd(Math.Sqrt(2.0 / (32 * 9)), state["features.4.weight"], "features.4 (32, 16, 3, 3)");
        AssertStd(0.01, state["classifier.0.weight"], "classifier.0 (512, 1568)");
        AssertStd(0.01, state["classifier.3.weight"], "classifier.3 (512, 512)");
        foreach (var key in new[] { "features.0.bias", "features.4.bias", "classifier.0.bias", "classifier.3.bias", "classifier.6.bias", "features.1.bias" })
            Assert.All(state[key].ToArray(), v => Assert.Equal(0f, v));
        Assert.All(state["features.1.weight"].ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void GoogLeNetInitialisationIsTorchvisions()
    {
        var model = new GoogLeNet(10, auxLogits: true, generator: new Generator(23));
        var state = model.StateDict();
        AssertStd(0.01, state["inception5b.branch2.1.conv.weight"], "inception5b.branch2.1 (384, 192, 3, 3)");
        AssertStd(0.01, state["aux1.fc1.weight"], "aux1.fc1 (1024, 2048)");
        AssertStd(0.01, state["fc.weight"], "fc (10, 1024)");
        // Linear biases keep PyTorch's default U(±1/√fan_in); BN γ = 1, β = 0, eps 0.001.
        Assert.All(state["aux1.fc1.bias"].ToArray(), v => Assert.InRange(v, -1f / MathF.Sqrt(2048), 1f / MathF.Sqrt(2048)));
        Assert.Contains(state["aux1.fc1.bias"].ToArray(), v => v != 0f);
        Assert.All(state["conv1.bn.weight"].ToArray(), v => Assert.Equal(1f, v));
        Assert.All(state["conv1.bn.bias"].ToArray(), v => Assert.Equal(0f, v));
        Assert.All(model.NamedModules().Select(m => m.Module).OfType<BatchNorm2d>(), bn => Assert.Equal(0.001f, bn.Eps));
    }

    [Fact]
    public void AlexNetKeepsPyTorchsDefaultInitialisation()
    {
        var state = new AlexNet(10, widthDivisor: 4, generator: new Generator(24)).StateDict();
        float bound = 1f / MathF.Sqrt(96 * 9);   // features.8: (64, 96, 3, 3) at width / 4, fan_in 96·3·3
        Assert.All(state["features.8.weight"].ToArray(), v => Assert.InRange(v, -bound, bound));
        AssertStd(bound / Math.Sqrt(3), state["features.8.weight"], "features.8 U(±1/√fan_in)");
    }

    [Fact]
    public void SeededConstructionIsReproducible()
    {
        static float[] Weights(ulong seed) => new ResNet(ResNetBlock.Basic, [1, 1], numClasses: 4, baseWidth: 8, generator: new Generator(seed))
            .Parameters().SelectMany(p => p.ToArray()).ToArray();
        Assert.Equal(Weights(25), Weights(25));
        Assert.NotEqual(Weights(25), Weights(26));
    }

    // ---- input sizes and modes ----

    [Theory]
    [InlineData(1, 1)]
    [InlineData(33, 47)]
    [InlineData(64, 64)]
    public void ResNetTakesAnyInputSize(int height, int width)
    {
        var model = new ResNet(ResNetBlock.Bottleneck, [1, 1, 1, 1], numClasses: 7, baseWidth: 4).Eval();
        Assert.Equal(new Shape(2, 7), ZooGolden.Run(model, Tensor.Randn(2, 3, height, width)).Shape);
    }

    [Fact]
    public void ResNetMnistArchitecture()
    {
        var model = ResNet.ResNetMnist(generator: new Generator(27));
        Assert.Equal(ResNetStem.Small, model.Stem);
        Assert.Equal([2, 2, 2], model.Layers);
        Assert.Equal(174_970, model.ParameterCount());
        Assert.DoesNotContain(model.NamedChildren(), child => child.Name == "maxpool");
        var shapes = new List<Shape>();
        foreach (var stage in model.Stages) stage.RegisterForwardHook((_, _, y) => shapes.Add(y.Shape));
        Assert.Equal(new Shape(3, 10), ZooGolden.Run(model.Eval(), Tensor.Randn(3, 1, 28, 28)).Shape);
        Assert.Equal([new Shape(3, 16, 28, 28), new Shape(3, 32, 14, 14), new Shape(3, 64, 7, 7)], shapes);
    }

    [Theory]
    [InlineData(32, 32)]
    [InlineData(45, 37)]
    public void VggTakesInputsOfAtLeast32(int height, int width)
    {
        var model = new Vgg(Vgg.Configurations[13].Select(v => v / 32).ToArray(), batchNorm: true, numClasses: 3, hiddenFeatures: 8).Eval();
        Assert.Equal(new Shape(1, 3), ZooGolden.Run(model, Tensor.Randn(1, 3, height, width)).Shape);
        Assert.Throws<ArgumentException>(() => ZooGolden.Run(model, Tensor.Randn(1, 3, 31, 40)));   // five 2x2 pools need 32
    }

    [Fact]
    public void AlexNetTakesInputsOfAtLeast63()
    {
        var model = new AlexNet(4, widthDivisor: 32).Eval();
        Assert.Equal(new Shape(1, 4), ZooGolden.Run(model, Tensor.Randn(1, 3, 63, 63)).Shape);
        Assert.Equal(new Shape(1, 4), ZooGolden.Run(model, Tensor.Randn(1, 3, 224, 224)).Shape);
        Assert.Throws<ArgumentException>(() => ZooGolden.Run(model, Tensor.Randn(1, 3, 62, 63)));
    }

    [Theory]
    [InlineData(15, 15)] // torchvision's smallest: the third max pool's 3x3 window covers a 2x2 map (ceil_mode)
    [InlineData(16, 23)]
    [InlineData(31, 31)]
    [InlineData(64, 80)]
    [InlineData(224, 224)]
    public void GoogLeNetTakesInputsOfAtLeast15(int height, int width)
    {
        var model = new GoogLeNet(6, widthDivisor: 8).Eval();
        Assert.Equal(new Shape(1, 6), ZooGolden.Run(model, Tensor.Randn(1, 3, height, width)).Shape);
    }

    [Fact]
    public void GoogLeNetRejects14LikeTorchvision()
    {
        // At 14x14 the third max pool sees a 1x1 map: no 3x3 window starts inside it ("Output size is too small").
        var model = new GoogLeNet(6, widthDivisor: 8).Eval();
        Assert.Throws<ArgumentException>(() => ZooGolden.Run(model, Tensor.Randn(1, 3, 14, 14)));
    }

    [Fact]
    public void GoogLeNetAuxiliaryLogitsOnlyInTrainingModeWithAux()
    {
        var x = Tensor.Randn(2, 3, 48, 48);
        var withAux = new GoogLeNet(5, auxLogits: true, widthDivisor: 8);
        var training = withAux.ForwardWithAuxiliary(x);
        Assert.Equal(new Shape(2, 5), training.AuxLogits1!.Shape);
        Assert.Equal(new Shape(2, 5), training.AuxLogits2!.Shape);
        withAux.Eval();
        var eval = withAux.ForwardWithAuxiliary(x);
        Assert.Null(eval.AuxLogits1);
        Assert.Null(eval.AuxLogits2);
        var noAux = new GoogLeNet(5, widthDivisor: 8).ForwardWithAuxiliary(x);
        Assert.Null(noAux.AuxLogits1);
        Assert.DoesNotContain(new GoogLeNet(5, widthDivisor: 8).StateDict().Keys, k => k.StartsWith("aux", StringComparison.Ordinal));
    }

    [Fact]
    public void DropoutActsOnlyInTrainingMode()
    {
        var model = new AlexNet(4, widthDivisor: 32, generator: new Generator(28));
        var x = Tensor.Randn(new Shape(2, 3, 63, 63), new Generator(29));
        Tensor First() { using var _ = Autograd.NoGrad(); return model.Forward(x); }
        Assert.NotEqual(First().ToArray(), First().ToArray());   // two different dropout masks
        model.Eval();
        Assert.Equal(First().ToArray(), First().ToArray());
    }

    // ---- argument checks ----

    [Fact]
    public void BadArgumentsThrowNamingTheArgument()
    {
        Assert.Equal("layers", Assert.Throws<ArgumentException>(() => new ResNet(ResNetBlock.Basic, [])).ParamName);
        Assert.Contains("[2, 0]", Assert.Throws<ArgumentException>(() => new ResNet(ResNetBlock.Basic, [2, 0])).Message);
        Assert.Equal("numClasses", Assert.Throws<ArgumentOutOfRangeException>(() => new ResNet(ResNetBlock.Basic, [1], numClasses: 0)).ParamName);
        Assert.Equal("baseWidth", Assert.Throws<ArgumentOutOfRangeException>(() => new ResNet(ResNetBlock.Basic, [1], baseWidth: -1)).ParamName);
        Assert.Equal("inChannels", Assert.Throws<ArgumentOutOfRangeException>(() => new ResNet(ResNetBlock.Basic, [1], inChannels: 0)).ParamName);
        Assert.Equal("block", Assert.Throws<ArgumentOutOfRangeException>(() => new ResNet((ResNetBlock)7, [1])).ParamName);
        Assert.Equal("depth", Assert.Throws<ArgumentOutOfRangeException>(() => Vgg.Create(12, false)).ParamName);
        Assert.Equal("configuration", Assert.Throws<ArgumentException>(() => new Vgg([64, -1], false)).ParamName);
        Assert.Equal("configuration", Assert.Throws<ArgumentException>(() => new Vgg([Vgg.Pool], false)).ParamName);
        Assert.Equal("hiddenFeatures", Assert.Throws<ArgumentOutOfRangeException>(() => new Vgg([8], false, hiddenFeatures: 0)).ParamName);
        Assert.Contains("got 3", Assert.Throws<ArgumentOutOfRangeException>(() => new AlexNet(widthDivisor: 3)).Message);
        Assert.Equal("widthDivisor", Assert.Throws<ArgumentOutOfRangeException>(() => new GoogLeNet(widthDivisor: 16)).ParamName);
        Assert.Equal("numClasses", Assert.Throws<ArgumentOutOfRangeException>(() => new GoogLeNet(0)).ParamName);
    }

    [Fact]
    public void WrongInputShapesNameTheShape()
    {
        var googlenet = new GoogLeNet(3, widthDivisor: 8);
        var error = Assert.Throws<ArgumentException>(() => googlenet.Forward(Tensor.Zeros(1, 1, 64, 64)));
        Assert.Contains("(1, 1, 64, 64)", error.Message);
        Assert.Contains("(N, 3, H, W)", error.Message);
        var resnet = new ResNet(ResNetBlock.Basic, [1], baseWidth: 4);
        Assert.Contains("(1, 1, 16, 16)", Assert.Throws<ArgumentException>(() => resnet.Forward(Tensor.Zeros(1, 1, 16, 16))).Message);
    }

    [Fact]
    public void ModelZooNamesAndErrors()
    {
        Assert.Contains("resnet50", ModelZoo.Names);
        Assert.Equal(new Shape(3, 224, 224), ModelZoo.Get("googlenet").DefaultInput);
        Assert.Equal(new Shape(1, 28, 28), ModelZoo.Get("resnet_mnist").DefaultInput);
        var unknown = Assert.Throws<ArgumentException>(() => ModelZoo.Create("resnet19"));
        Assert.Contains("resnet18", unknown.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelZoo.Create("resnet_mnist", 0));
        Assert.Equal(new Shape(1, 4), ZooGolden.Run(ModelZoo.Create("resnet_mnist", 4).Eval(), Tensor.Zeros(1, 1, 28, 28)).Shape);
    }
}
