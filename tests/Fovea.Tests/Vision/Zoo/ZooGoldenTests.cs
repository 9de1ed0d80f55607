using Fovea.Nn;
using Fovea.Vision.Models;
using Xunit.Abstractions;

namespace Fovea.Tests.Vision.Zoo;

/// <summary>
/// The zoo's models reproduce torchvision's eval-mode outputs from torchvision's state dicts (seeded random weights,
/// random batch-norm statistics), on narrow versions of the models that run in CI (tools/golden/zoo.py builds them
/// from torchvision's own classes: same layers and code paths, fewer channels). Tolerance 1e-4 absolute on the
/// logits (the full networks sum thousands of products per output in a different order than PyTorch).
/// </summary>
public sealed class ZooGoldenTests(ITestOutputHelper output)
{
    private const float Tolerance = 1e-4f;

    private static readonly int[] VggA = Vgg.Configurations[11].Select(v => v / 32).ToArray();

    public static TheoryData<string> Cases => new()
    {
        "resnet18_w4", "resnet50_w4", "resnet_small_w8", "googlenet_w8", "vgg11_bn_w32", "vgg11_w32", "alexnet_w32",
    };

    /// <summary>The Fovea model for each committed case, built as tools/golden/zoo.py builds torchvision's.</summary>
    internal static Module Build(string name) => name switch
    {
        "resnet18_w4" => new ResNet(ResNetBlock.Basic, [2, 2, 2, 2], numClasses: 10, baseWidth: 4),
        "resnet50_w4" => new ResNet(ResNetBlock.Bottleneck, [3, 4, 6, 3], numClasses: 10, baseWidth: 4),
        "resnet_small_w8" => new ResNet(ResNetBlock.Basic, [2, 2, 2], numClasses: 10, inChannels: 1, baseWidth: 8, stem: ResNetStem.Small),
        "googlenet_w8" => new GoogLeNet(10, auxLogits: true, dropout: 0f, dropoutAux: 0f, widthDivisor: 8),
        "vgg11_bn_w32" => new Vgg(VggA, batchNorm: true, numClasses: 5, hiddenFeatures: 16),
        "vgg11_w32" => new Vgg(VggA, batchNorm: false, numClasses: 5, hiddenFeatures: 16),
        "alexnet_w32" => new AlexNet(7, widthDivisor: 32),
        _ => throw new ArgumentException($"No such case {name}.", nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EvalOutputMatchesTorchvision(string name)
    {
        var golden = ZooGolden.Load(ZooGolden.CommittedDirectory, name);
        var model = golden.LoadInto(Build(name));
        var logits = ZooGolden.Run(model, golden.Io["input"]);
        double difference = ZooGolden.AssertClose(golden.Io["output"], logits, Tolerance, $"zoo/{name}");
        output.WriteLine($"{name}: output {logits.Shape}, max |difference| {difference:G3}; {golden.AgainstFloat64(logits)}");
    }

    [Fact]
    public void GoogLeNetWithoutAuxiliaryClassifiersLoadsTheSameWeightsMinusAux()
    {
        var golden = ZooGolden.Load(ZooGolden.CommittedDirectory, "googlenet_w8");
        var model = new GoogLeNet(10, widthDivisor: 8);
        var withoutAux = golden.State.Where(kv => !kv.Key.StartsWith("aux", StringComparison.Ordinal)).ToDictionary();
        Assert.Equal(withoutAux.Keys, model.StateDict().Keys);
        model.LoadStateDict(withoutAux);
        model.Eval();
        ZooGolden.AssertClose(golden.Io["output"], ZooGolden.Run(model, golden.Io["input"]), Tolerance, "zoo/googlenet_w8 without aux");
    }

    [Fact]
    public void GoogLeNetTransformInputMatchesTorchvision()
    {
        var golden = ZooGolden.Load(ZooGolden.CommittedDirectory, "googlenet_w8");
        var model = golden.LoadInto(new GoogLeNet(10, auxLogits: true, transformInput: true, dropout: 0f, dropoutAux: 0f, widthDivisor: 8));
        ZooGolden.AssertClose(golden.Io["output_transformed"], ZooGolden.Run(model, golden.Io["input"]), Tolerance, "zoo/googlenet_w8 transform_input");
    }

    [Fact]
    public void GoogLeNetTrainingModeGivesTheAuxiliaryLogitsAndUpdatesStatistics()
    {
        var golden = ZooGolden.Load(ZooGolden.CommittedDirectory, "googlenet_w8");
        var model = (GoogLeNet)golden.LoadInto(Build("googlenet_w8"));
        model.Train();
        GoogLeNetOutputs outputs;
        using (Autograd.NoGrad()) outputs = model.ForwardWithAuxiliary(golden.Io["input"]);
        // Training mode normalises with batch statistics (N·H·W values per channel), as PyTorch.
        ZooGolden.AssertClose(golden.Io["train.output"], outputs.Logits, Tolerance, "zoo/googlenet_w8 train logits");
        ZooGolden.AssertClose(golden.Io["train.aux1"], outputs.AuxLogits1!, Tolerance, "zoo/googlenet_w8 train aux1");
        ZooGolden.AssertClose(golden.Io["train.aux2"], outputs.AuxLogits2!, Tolerance, "zoo/googlenet_w8 train aux2");
        var state = model.StateDict();
        foreach (var (key, expected) in golden.Io.Where(kv => kv.Key.StartsWith("after.", StringComparison.Ordinal)))
        {
            var name = key["after.".Length..];
            // Running variances reach ~10²; compare relative to their size.
            Infrastructure.TensorAssert.Close(expected, state[name], relative: 1e-4f, absolute: 1e-4f, label: $"zoo/googlenet_w8 {name} after training forward");
        }
    }

    [Fact]
    public void GoogLeNetForwardReturnsTheMainLogitsInTrainingMode()
    {
        var golden = ZooGolden.Load(ZooGolden.CommittedDirectory, "googlenet_w8");
        var model = golden.LoadInto(Build("googlenet_w8"));
        model.Train();
        ZooGolden.AssertClose(golden.Io["train.output"], ZooGolden.Run(model, golden.Io["input"]), Tolerance, "zoo/googlenet_w8 Forward in training");
    }
}
