using System.Text.Json;
using Fovea.Nn;
using Fovea.Tests.Infrastructure;
using Fovea.Vision.Models;

namespace Fovea.Tests.Shapes;

/// <summary>
/// Summary totals against PyTorch: tests/golden/summary/torchinfo_reference.json, written by
/// tools/golden/summary_reference.py from torchvision's models with torchinfo's MAC rule.
/// </summary>
public sealed class SummaryReferenceTests
{
    private sealed record Reference(int[] Input, long Params, long Macs, string? LastConvolution, int[]? LastConvolutionReceptiveField);

    private static readonly Dictionary<string, Reference> References = JsonSerializer.Deserialize<Dictionary<string, Reference>>(
        File.ReadAllText(Path.Combine(GoldenCase.GoldenDirectory, "summary", "torchinfo_reference.json")),
        new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

    [Fact]
    public void ResNet18At224MatchesTorchinfoAndItsMeasuredField()
    {
        var reference = References["resnet18@3x224x224"];
        var summary = TestNetworks.ResNet18().Summary(new Shape(reference.Input));
        Assert.Equal(11_689_512, reference.Params);
        Assert.Equal(reference.Params, summary.TotalParameters);
        Assert.Equal(reference.Macs, summary.Macs);   // 1,814,083,944: torchinfo's 1.81 G
        Assert.Equal("1.81 G", ModelSummary.Readable(summary.Macs));

        // The last convolution (torchvision's layer4.1.conv2; here stage 7, block 1): 7 + 2·2 (max pool) + 4 convs·2·4
        // + (2·4 + 3·2·8) + (2·8 + 3·2·16) + (2·16 + 3·2·32) = 435, as PyTorch's gradient measures it.
        var last = summary.Layers.Last(l => l.Type == "Conv2d");
        Assert.Equal("7.1.conv2", last.Name);
        Assert.Equal(reference.LastConvolutionReceptiveField!, last.ReceptiveField!);
        Assert.Equal([32, 32], last.Jump!);
    }

    [Fact]
    public void ZooModelsMatchTorchvision()
    {
        // lenet5 is always registered; the ImageNet models are checked once the zoo has them. VGG and AlexNet are
        // left out here: their 60-140 M parameters make the test heavy (their counts are the zoo's tests).
        string[] names = ["lenet5", "resnet18", "resnet34", "resnet50", "googlenet"];
        int checkedModels = 0;
        foreach (var (key, reference) in References)
        {
            string name = key.Split('@')[0];
            if (!names.Contains(name) || !ModelZoo.TryGet(name, out _)) continue;
            var model = ModelZoo.Create(name);
            var summary = model.Summary(new Shape(reference.Input));
            Assert.Equal(model.ParameterCount(), summary.TotalParameters);
            // The reference GoogLeNet has no auxiliary classifiers (they do not run in eval mode, so the MACs agree either way).
            long parameters = model.NamedParameters().Where(p => !p.Name.StartsWith("aux", StringComparison.Ordinal)).Sum(p => (long)p.Tensor.Size);
            Assert.True(reference.Params == parameters, $"{key}: {parameters} parameters, torchvision has {reference.Params}");
            Assert.True(reference.Macs == summary.Macs, $"{key}: {summary.Macs} MACs, torchinfo counts {reference.Macs}");
            checkedModels++;
        }
        Assert.True(checkedModels >= 1);
    }
}
