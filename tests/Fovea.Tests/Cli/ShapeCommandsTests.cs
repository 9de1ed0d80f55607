using System.Text.Json;
using Fovea.Cli;
using Fovea.Nn;
using Fovea.Serialization;
using Fovea.Tests.Infrastructure;
using Fovea.Tests.Support;
using Fovea.Vision.Models;

namespace Fovea.Tests.Cli;

/// <summary>`fovea shape`, `receptive`, `summary` and `infer`: exact outputs, JSON forms, and one-line errors with their exit codes.</summary>
public sealed class ShapeCommandsTests
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = FoveaApp.Run(args, CliTestSupport.Console(output), output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs a command that must succeed; returns its output lines.</summary>
    private static string[] Lines(params string[] args)
    {
        var (code, output, error) = Run(args);
        Assert.True(code == 0, $"exit code {code}: {error}");
        Assert.Equal("", error);
        return output.TrimEnd('\n').Split('\n');
    }

    private static void AssertUsageError(string[] args, string fragment) => AssertError(args, FoveaApp.UsageError, fragment);

    private static void AssertError(string[] args, int code, string fragment)
    {
        var (actual, output, error) = Run(args);
        Assert.True(actual == code, $"exit code {actual}, expected {code}: {error}");
        Assert.Equal("", output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got:\n{error}");
        Assert.StartsWith("fovea: ", lines[0]);
        Assert.Contains(fragment, lines[0]);
        Assert.DoesNotContain("   at ", error);
    }

    // ---- fovea shape ----

    [Theory]
    [InlineData("valid", 28, 5, 1, 1, "{\"pStart\":0,\"pEnd\":0,\"output\":24}")]
    [InlineData("same", 28, 5, 1, 1, "{\"pStart\":2,\"pEnd\":2,\"output\":28}")]
    [InlineData("same", 5, 4, 2, 1, "{\"pStart\":1,\"pEnd\":2,\"output\":3}")]
    [InlineData("full", 5, 3, 1, 1, "{\"pStart\":2,\"pEnd\":2,\"output\":7}")]
    [InlineData("1", 28, 3, 2, 1, "{\"pStart\":1,\"pEnd\":1,\"output\":14}")]
    [InlineData("0,2", 7, 3, 2, 1, "{\"pStart\":0,\"pEnd\":2,\"output\":4}")]
    [InlineData("same", 10, 3, 1, 2, "{\"pStart\":2,\"pEnd\":2,\"output\":10}")]
    public void ShapeJsonIsExactlyTheObject(string padding, int input, int filter, int stride, int dilation, string expected)
    {
        var (code, output, error) = Run("shape", "--input", $"{input}", "--filter", $"{filter}", "--stride", $"{stride}",
            "--padding", padding, "--dilation", $"{dilation}", "--json");
        Assert.True(code == 0, error);
        Assert.Equal(expected + Environment.NewLine, output);
    }

    [Fact]
    public void ShapeJsonAgreesWithTheLibraryForEveryMode()
    {
        foreach (var (text, padding) in new[] { ("valid", Padding.Valid), ("same", Padding.Same), ("full", Padding.Full), ("2", Padding.Explicit(2)), ("1,3", Padding.Asymmetric((1, 3))) })
            for (int input = 1; input <= 9; input += 4)
                for (int filter = 1; filter <= 5; filter += 2)
                    for (int stride = 1; stride <= 3; stride++)
                    {
                        var (start, end) = padding.Resolve(0, input, filter, stride);
                        string[] args = ["shape", "--input", $"{input}", "--filter", $"{filter}", "--stride", $"{stride}", "--padding", text, "--json"];
                        if (filter > input + start + end) { AssertUsageError(args, "larger than the padded input"); continue; }
                        using var json = JsonDocument.Parse(Lines(args).Single());
                        Assert.Equal(start, json.RootElement.GetProperty("pStart").GetInt32());
                        Assert.Equal(end, json.RootElement.GetProperty("pEnd").GetInt32());
                        Assert.Equal(WindowGeometry.OutputSize(input, filter, stride, start, end), json.RootElement.GetProperty("output").GetInt32());
                    }
    }

    [Fact]
    public void ShapeExplainsTheFormulas()
    {
        Assert.Equal(
        [
            "I = 28, F = 5, S = 1, padding same",
            "P_start = floor((S*ceil(I/S) - I + F - S) / 2) = floor((1*28 - 28 + 5 - 1) / 2) = 2",
            "P_end   = ceil((S*ceil(I/S) - I + F - S) / 2) = ceil((1*28 - 28 + 5 - 1) / 2) = 2",
            "O = floor((I - F + P_start + P_end) / S) + 1 = floor((28 - 5 + 2 + 2) / 1) + 1 = 28",
        ], Lines("shape", "--input", "28", "--filter", "5", "--padding", "same"));
        Assert.Equal(
        [
            "I = 7, F = 3, S = 2, d = 2, padding full",
            "F_eff = d*(F - 1) + 1 = 2*(3 - 1) + 1 = 5 (a dilated filter counts as its span)",
            "P_start = P_end = F_eff - 1 = 4 (full: the filter sees the input end to end)",
            "O = floor((I - F_eff + P_start + P_end) / S) + 1 = floor((7 - 5 + 4 + 4) / 2) + 1 = 6",
        ], Lines("shape", "--input", "7", "--filter", "3", "--stride", "2", "--padding", "full", "--dilation", "2"));
        Assert.Contains("S*ceil(I/S) - I + F - S = 4*1 - 4 + 1 - 4 = -3 < 0: no padding needed, P_start = P_end = 0",
            Lines("shape", "--input", "4", "--filter", "1", "--stride", "4", "--padding", "same"));
        Assert.Contains("P_start = P_end = 0 (valid: no padding; an incomplete last window is dropped)", Lines("shape", "--input", "7", "--filter", "2", "--stride", "2"));
        Assert.Contains("P_start = 0, P_end = 2 (explicit)", Lines("shape", "--input", "7", "--filter", "3", "--padding", "0,2"));
    }

    [Theory]
    [InlineData(new[] { "shape", "--input", "5", "--filter", "7" }, "the filter F = 7 is larger than the padded input I + P_start + P_end = 5 + 0 + 0 = 5 (valid padding).")]
    [InlineData(new[] { "shape", "--input", "5", "--filter", "3", "--dilation", "3", "--padding", "0" }, "the dilated filter d*(F - 1) + 1 = 3*(3 - 1) + 1 = 7 is larger than the padded input I + P_start + P_end = 5 + 0 + 0 = 5 (explicit padding).")]
    [InlineData(new[] { "shape", "--input", "5", "--filter", "3", "--stride", "0" }, "--stride must be >= 1, got 0.")]
    [InlineData(new[] { "shape", "--input", "-5", "--filter", "3" }, "--input must be >= 1, got -5.")]
    [InlineData(new[] { "shape", "--input", "5", "--filter", "-3" }, "--filter must be >= 1, got -3.")]
    [InlineData(new[] { "shape", "--input", "5", "--filter", "3", "--dilation", "0" }, "--dilation must be >= 1, got 0.")]
    [InlineData(new[] { "shape", "--input", "5", "--filter", "3", "--padding", "-1" }, "--padding must be >= 0, got '-1'.")]
    [InlineData(new[] { "shape", "--input", "5", "--filter", "3", "--padding", "1,-2" }, "--padding must be >= 0, got '1,-2'.")]
    [InlineData(new[] { "shape", "--input", "5", "--filter", "3", "--padding", "half" }, "--padding 'half' is none of valid, same, full, P, PSTART,PEND.")]
    [InlineData(new[] { "shape", "--input", "5", "--filter", "3", "--padding", "1,2,3" }, "--padding '1,2,3' has 3 values; expected P or PSTART,PEND.")]
    [InlineData(new[] { "shape", "--filter", "3" }, "Option '--input' is required.")]
    [InlineData(new[] { "shape", "--input", "2147483647", "--filter", "3", "--padding", "full" }, "sizes above 268,435,456 are not supported")]
    [InlineData(new[] { "shape", "--input", "5", "--filter", "3", "--padding", "2147483647" }, "paddings above 268,435,456 are not supported")]
    [InlineData(new[] { "receptive", "--filters", "3,3,3", "--strides", "65536,65536,1" }, "the receptive field or the jump of these 3 layers exceeds 2,147,483,647 pixels.")]
    [InlineData(new[] { "receptive", "--filters", "3,3", "--strides", "1,0" }, "--strides must be >= 1, got 0 in '1,0' (expected S1,S2,...).")]
    [InlineData(new[] { "receptive", "--filters", "3,-3" }, "--filters must be >= 1, got -3 in '3,-3'")]
    [InlineData(new[] { "receptive", "--filters", "3,x" }, "--filters has 'x' in '3,x', which is not an integer")]
    [InlineData(new[] { "receptive", "--filters", "3,3", "--strides", "1" }, "--strides has 1 values but --filters has 2: give one stride per layer.")]
    [InlineData(new[] { "receptive", "--filters", "3,3", "--dilations", "1,1,1" }, "--dilations has 3 values but --filters has 2")]
    [InlineData(new[] { "summary", "--model", "nope" }, "--model 'nope' is not a known model (known: ")]
    [InlineData(new[] { "summary", "--model", "lenet5", "--num-classes", "0" }, "--num-classes must be >= 1, got 0.")]
    [InlineData(new[] { "summary", "--model", "lenet5", "--input", "1,-28,28" }, "--input must be >= 1, got -28 in '1,-28,28'")]
    [InlineData(new[] { "summary", "--model", "lenet5", "--input", "1,8,8" }, "--input 1,8,8: lenet5 cannot take this input: Sequential.Summary((1, 1, 8, 8)): the forward pass failed after layer '2' (MaxPool2d, output (1, 6, 4, 4)): Conv2d: kernel (5, 5)")]
    [InlineData(new[] { "summary", "--model", "lenet5", "--input", "3,28,28" }, "lenet5 cannot take this input")]
    [InlineData(new[] { "infer", "--model", "nope", "--weights", "w", "--input", "x", "--output", "y" }, "--model 'nope' is not a known model")]
    public void ImpossibleRequestsAreUsageErrors(string[] args, string fragment) => AssertUsageError(args, fragment);

    // ---- fovea receptive ----

    [Fact]
    public void ReceptiveFieldOfTheMissionExample()
    {
        var (code, output, error) = Run("receptive", "--filters", "3,3", "--strides", "1,1", "--json");
        Assert.True(code == 0, error);
        Assert.Equal("{\"receptiveField\":5}" + Environment.NewLine, output);
        Assert.Equal(
        [
            "layer  F  S  J_in  R_k  J_k",
            "    1  3  1     1    3    1",
            "    2  3  1     1    5    1",
            "R_2 = 1 + sum_j (F_j - 1) * prod_{i<j} S_i = 1 + (3 - 1)*1 + (3 - 1)*1 = 5",
            "jump after layer 2 (product of the strides): 1",
        ], Lines("receptive", "--filters", "3,3", "--strides", "1,1"));
    }

    [Fact]
    public void ReceptiveFieldWithStridesPoolingAndDilation()
    {
        Assert.Equal("{\"receptiveField\":195}", Lines("receptive", "--filters", "11,3,5,3,3,3,3,3", "--strides", "4,2,1,2,1,1,1,2", "--json").Single());
        Assert.Equal("{\"receptiveField\":5}", Lines("receptive", "--filters", "3,3", "--json").Single());   // strides default to 1
        Assert.Equal("{\"receptiveField\":7}", Lines("receptive", "--filters", "3,3", "--strides", "2,1", "--json").Single());   // 3 + 2·2
        var lines = Lines("receptive", "--filters", "3,3,3", "--dilations", "1,2,4");
        Assert.Equal("layer  F  S  d  F_eff  J_in  R_k  J_k", lines[0]);
        Assert.Equal("    3  3  1  4      9     1   15    1", lines[3]);
        Assert.Equal("R_3 = 1 + sum_j (F_eff_j - 1) * prod_{i<j} S_i = 1 + (3 - 1)*1 + (5 - 1)*1 + (9 - 1)*1 = 15", lines[4]);
    }

    // ---- fovea summary ----

    [Fact]
    public void SummaryJsonOfLeNet5()
    {
        var (code, output, error) = Run("summary", "--model", "lenet5", "--json");
        Assert.True(code == 0, error);
        Assert.Single(output.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("{\"layers\":[{\"name\":\"0\",\"type\":\"Conv2d\",\"outputShape\":[1,6,28,28],\"params\":156,\"receptiveField\":5,\"macs\":122304},", output);
        Assert.Contains("{\"name\":\"6\",\"type\":\"Flatten\",\"outputShape\":[1,400],\"params\":0,\"receptiveField\":null,\"macs\":0}", output);
        Assert.EndsWith("{\"name\":\"11\",\"type\":\"Linear\",\"outputShape\":[1,10],\"params\":850,\"receptiveField\":null,\"macs\":850}],\"totalParams\":61706,\"trainableParams\":61706,\"macs\":423038}" + Environment.NewLine, output);

        using var json = JsonDocument.Parse(output);
        var layers = json.RootElement.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(12, layers.Count);
        Assert.Equal(["name", "type", "outputShape", "params", "receptiveField", "macs"], layers[3].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["layers", "totalParams", "trainableParams", "macs"], json.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void SummaryTableWithOtherClassesAndInput()
    {
        var lines = Lines("summary", "--model", "lenet5", "--num-classes", "3");
        Assert.Equal("Sequential on input (1, 1, 28, 28)", lines[0]);
        Assert.Contains("11     Linear     (1, 3)              255   -     -      255", lines);
        Assert.Contains("Total params: 61,111", lines);   // 61,706 − 850 + (84 + 1)·3
        // Three input channels: only the first convolution grows, to (5·5·3 + 1)·6 = 456.
        using var json = JsonDocument.Parse(string.Join("", Lines("summary", "--model", "LeNet5", "--input", "1,28,28", "--json")));
        Assert.Equal(61_706, json.RootElement.GetProperty("totalParams").GetInt64());
    }

    [Fact]
    public void SummaryPrintsANonSquareFieldAsAnArray()
    {
        // Through the JSON writer directly: a model with a 1x3 filter.
        var summary = new Sequential(new Conv2d(1, 1, (1, 3))).Summary(new Shape(1, 1, 5, 5));
        Assert.Contains("\"receptiveField\":[1,3]", Fovea.Cli.Commands.SummaryCommand.ToJson(summary));
    }

    // ---- fovea infer ----

    [Fact]
    public void InferWritesTheEvalModeLogits()
    {
        using var folder = new TempDirectory();
        var model = LeNet.LeNet5(numClasses: 4, inChannels: 1);
        model.Save(folder.File("lenet.safetensors"));
        var batch = Tensor.Rand(new Shape(3, 1, 28, 28), new Generator(5));
        Npy.Write(folder.File("x.npy"), batch);

        var lines = Lines("infer", "--model", "lenet5", "--num-classes", "4", "--weights", folder.File("lenet.safetensors"),
            "--input", folder.File("x.npy"), "--output", folder.File("y.npy"));
        Assert.Equal($"lenet5: (3, 1, 28, 28) -> (3, 4), written to {folder.File("y.npy")}", lines.Single());
        model.Eval();
        using (Autograd.NoGrad())
            Assert.Equal(model.Forward(batch).ToArray(), Npy.Read(folder.File("y.npy")).ToArray());
    }

    [Fact]
    public void InferReproducesPyTorchFromItsStateDict()
    {
        // tools/golden/infer_lenet5.py: a PyTorch LeNet-5 (same padding on the first convolution), its state dict, a batch and its logits.
        string folder = Path.Combine(GoldenCase.GoldenDirectory, "infer");
        using var output = new TempDirectory();
        Lines("infer", "--model", "lenet5", "--weights", Path.Combine(folder, "lenet5.safetensors"),
            "--input", Path.Combine(folder, "lenet5_x.npy"), "--output", output.File("y.npy"));
        TensorAssert.Close(Npy.Read(Path.Combine(folder, "lenet5_y.npy")), Npy.Read(output.File("y.npy")), 1e-5f, 1e-6f, "infer lenet5");
    }

    [Fact]
    public void InferProblemsAreOneLineFailures()
    {
        using var folder = new TempDirectory();
        var model = LeNet.LeNet5();
        model.Save(folder.File("lenet.safetensors"));
        Npy.Write(folder.File("x.npy"), Tensor.Zeros(2, 1, 28, 28));
        Npy.Write(folder.File("wrong-channels.npy"), Tensor.Zeros(2, 3, 28, 28));
        Npy.Write(folder.File("wrong-size.npy"), Tensor.Zeros(2, 1, 32, 32));
        Npy.Write(folder.File("unbatched.npy"), Tensor.Zeros(1, 28, 28));
        var state = model.StateDict();
        state.Remove("0.bias");
        state["extra.weight"] = Tensor.Zeros(2);
        Safetensors.Write(folder.File("bad.safetensors"), state);
        File.WriteAllText(folder.File("corrupt.safetensors"), "not a safetensors file");

        string[] Args(string weights, string input) =>
            ["infer", "--model", "lenet5", "--weights", folder.File(weights), "--input", folder.File(input), "--output", folder.File("y.npy")];

        AssertError(Args("absent.safetensors", "x.npy"), FoveaApp.UsageError, $"--weights: file '{folder.File("absent.safetensors")}' does not exist.");
        AssertError(Args("lenet.safetensors", "absent.npy"), FoveaApp.UsageError, $"--input: file '{folder.File("absent.npy")}' does not exist.");
        AssertError(Args("bad.safetensors", "x.npy"), FoveaApp.UsageError, "does not fit lenet5: LoadStateDict into Sequential failed: missing keys: 0.bias. unexpected keys: extra.weight.");
        AssertError(Args("corrupt.safetensors", "x.npy"), FoveaApp.UsageError, "corrupt.safetensors");
        AssertError(Args("lenet.safetensors", "wrong-channels.npy"), FoveaApp.UsageError, "wrong-channels.npy has shape (2, 3, 28, 28); lenet5 takes a batch of shape (N, 1, 28, 28) with N >= 1.");
        AssertError(Args("lenet.safetensors", "unbatched.npy"), FoveaApp.UsageError, "unbatched.npy has shape (1, 28, 28); lenet5 takes a batch of shape (N, 1, 28, 28)");
        AssertError(Args("lenet.safetensors", "wrong-size.npy"), FoveaApp.UsageError, "wrong-size.npy has shape (2, 1, 32, 32), which lenet5 cannot take (its usual input is (N, 1, 28, 28)): ");
        Assert.False(File.Exists(folder.File("y.npy")));
        AssertUsageError(["infer", "--model", "lenet5", "--input", "x.npy", "--output", "y.npy"], "Option '--weights' is required.");
    }

    [Fact]
    public void HelpListsTheNewCommands()
    {
        var (_, output, _) = Run("--help");
        foreach (var command in new[] { "shape", "receptive", "summary", "infer" }) Assert.Contains(command, output);
        var (_, shapeHelp, _) = Run("shape", "--help");
        Assert.Contains("valid|same|full|P|PSTART,PEND", shapeHelp);
    }
}
