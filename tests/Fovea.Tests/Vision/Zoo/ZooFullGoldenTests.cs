using Fovea.Vision.Models;
using Xunit.Abstractions;

namespace Fovea.Tests.Vision.Zoo;

/// <summary>
/// The full-size torchvision models (resnet18, resnet50, googlenet, vgg11_bn, alexnet with 10 classes; hundreds of MB
/// of weights, so not committed) reproduce torchvision's outputs within 1e-4. They run only when the environment
/// variable FOVEA_FULL_GOLDEN_DIR names a folder written by <c>cd tools/golden &amp;&amp; /usr/bin/python3 zoo.py --full DIR</c>;
/// otherwise they are reported as skipped (not passed). CI runs the narrow versions in <see cref="ZooGoldenTests"/>.
/// </summary>
public sealed class ZooFullGoldenTests(ITestOutputHelper output)
{
    private const float Tolerance = 1e-4f;

    [FullGoldenTheory]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    [InlineData("googlenet")]
    [InlineData("vgg11_bn")]
    [InlineData("alexnet")]
    public void FullModelMatchesTorchvision(string name)
    {
        var golden = ZooGolden.Load(FullGoldenTheoryAttribute.Directory!, name);
        var model = golden.LoadInto(ModelZoo.Create(name, 10));
        var logits = ZooGolden.Run(model, golden.Io["input"]);
        double difference = ZooGolden.AssertClose(golden.Io["output"], logits, Tolerance, $"zoo-full/{name}");
        output.WriteLine($"{name}: output {logits.Shape}, max |logit| {golden.Io["output"].Abs().Max().Item():G4}, max |difference| {difference:G3}; {golden.AgainstFloat64(logits)}");
    }

    [FullGoldenTheory]
    [InlineData("googlenet_aux")]
    public void FullGoogLeNetWithAuxiliaryClassifiersMatchesTorchvisionInTrainingMode(string name)
    {
        var golden = ZooGolden.Load(FullGoldenTheoryAttribute.Directory!, name);
        var model = (GoogLeNet)golden.LoadInto(new GoogLeNet(10, auxLogits: true, dropout: 0f, dropoutAux: 0f));
        double eval = ZooGolden.AssertClose(golden.Io["output"], ZooGolden.Run(model, golden.Io["input"]), Tolerance, "zoo-full/googlenet_aux eval");
        model.Train();
        GoogLeNetOutputs outputs;
        using (Autograd.NoGrad()) outputs = model.ForwardWithAuxiliary(golden.Io["input"]);
        double logits = ZooGolden.AssertClose(golden.Io["train.output"], outputs.Logits, Tolerance, "zoo-full/googlenet_aux train");
        double aux1 = ZooGolden.AssertClose(golden.Io["train.aux1"], outputs.AuxLogits1!, Tolerance, "zoo-full/googlenet_aux aux1");
        double aux2 = ZooGolden.AssertClose(golden.Io["train.aux2"], outputs.AuxLogits2!, Tolerance, "zoo-full/googlenet_aux aux2");
        output.WriteLine($"googlenet_aux: eval {eval:G3}, train logits {logits:G3}, aux1 {aux1:G3}, aux2 {aux2:G3}");
    }
}

/// <summary>A theory that runs only when FOVEA_FULL_GOLDEN_DIR names an existing folder; skipped otherwise.</summary>
public sealed class FullGoldenTheoryAttribute : TheoryAttribute
{
    public static string? Directory { get; } = Environment.GetEnvironmentVariable("FOVEA_FULL_GOLDEN_DIR") is { Length: > 0 } path
        && System.IO.Directory.Exists(path) ? path : null;

    public FullGoldenTheoryAttribute()
    {
        if (Directory is null)
            Skip = "Full-size zoo goldens: set FOVEA_FULL_GOLDEN_DIR to a folder written by tools/golden/zoo.py --full.";
    }
}
