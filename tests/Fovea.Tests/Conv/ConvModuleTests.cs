using Fovea.Nn;
using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Conv;

/// <summary>Conv and ConvTranspose layers: PyTorch's parameters loaded, output and every gradient compared.</summary>
public sealed class ConvModuleTests
{
    public static TheoryData<string> ModuleCases() => [.. Modules.Keys];

    private static readonly Dictionary<string, Func<Module>> Modules = new()
    {
        ["module_conv1d"] = () => new Conv1d(3, 4, kernel: 3, stride: 2, padding: 1),
        ["module_conv2d_same"] = () => new Conv2d(1, 6, kernel: 5, padding: Padding.Same),
        ["module_conv2d_groups"] = () => new Conv2d(4, 6, kernel: (3, 2), stride: 2, padding: (1, 0), dilation: (1, 2), groups: 2),
        ["module_conv2d_no_bias"] = () => new Conv2d(3, 2, kernel: 3, bias: false),
        ["module_conv3d"] = () => new Conv3d(2, 3, kernel: (2, 3, 3), stride: (1, 2, 1), padding: 1),
        ["module_conv_transpose1d"] = () => new ConvTranspose1d(2, 3, kernel: 4, stride: 3, padding: 1, outputPadding: 2),
        ["module_conv_transpose2d"] = () => new ConvTranspose2d(4, 6, kernel: 3, stride: 2, padding: 1, outputPadding: 1, groups: 2),
        ["module_conv_transpose3d"] = () => new ConvTranspose3d(2, 2, kernel: (2, 2, 3), stride: 2, bias: false),
    };

    [Theory]
    [MemberData(nameof(ModuleCases))]
    public void MatchesPyTorchModule(string name)
    {
        var golden = GoldenCase.Load("conv", name);
        var module = Modules[name]();
        // The file must hold every parameter of the layer, and the layer every parameter of the file.
        Assert.Equal(golden.StateDict().Keys.Order(), module.StateDict().Keys.Order());
        // Absolute 1e-5 instead of 1e-6: the weight gradients are sums of up to a few hundred products (batch · positions)
        // with magnitudes around 20, and the fast convolution kernels add them in float in another order than PyTorch
        // (several images side by side in one GEMM); an entry that cancels to nearly 0 keeps an error of a few 1e-6.
        golden.CheckModule(module, absolute: 1e-5f);
        foreach (var (parameterName, _) in module.NamedParameters())
            Assert.True(golden.Has("gparam." + parameterName), $"{name}: PyTorch recorded no gradient for {parameterName}.");
    }

    [Fact]
    public void LeNetFirstLayerKeepsTheImageSize()
    {
        var conv = new Conv2d(1, 6, kernel: 5, padding: Padding.Same);
        var output = conv.Forward(Tensor.Randn(2, 1, 28, 28));
        Assert.Equal(new Shape(2, 6, 28, 28), output.Shape);
        // (F·F·C + 1)·K parameters (MISSION.md §1).
        Assert.Equal((5 * 5 * 1 + 1) * 6, conv.ParameterCount());
        Assert.Equal(new Shape(6, 1, 5, 5), conv.Weight.Shape);
        Assert.Equal(new Shape(6), conv.Bias!.Shape);
    }

    [Fact]
    public void ParameterShapesFollowPyTorch()
    {
        var grouped = new Conv3d(4, 6, kernel: (1, 2, 3), groups: 2, bias: false);
        Assert.Equal(new Shape(6, 2, 1, 2, 3), grouped.Weight.Shape);
        Assert.Null(grouped.Bias);
        Assert.Equal(["weight"], grouped.StateDict().Keys);
        var transposed = new ConvTranspose2d(4, 6, kernel: (3, 2), groups: 2);
        Assert.Equal(new Shape(4, 3, 3, 2), transposed.Weight.Shape);
        Assert.Equal(new Shape(6), transposed.Bias!.Shape);
        Assert.Equal((4 * 3 * 3 * 2) + 6, transposed.ParameterCount());
    }

    [Fact]
    public void DefaultInitIsUniformWithinOneOverSquareRootOfFanIn()
    {
        var conv = new Conv2d(3, 8, kernel: 3, generator: new Generator(1));
        float bound = 1f / MathF.Sqrt(3 * 3 * 3);
        Assert.All(conv.Weight.ToArray(), w => Assert.InRange(MathF.Abs(w), 0f, bound));
        Assert.All(conv.Bias!.ToArray(), b => Assert.InRange(MathF.Abs(b), 0f, bound));
        // Spread over the whole range, not collapsed near 0.
        Assert.True(conv.Weight.ToArray().Max() > 0.8f * bound);
        // fan_in of a transposed weight (in, out/groups, k...) is (out/groups)·k·k, as in PyTorch.
        var transposed = new ConvTranspose2d(8, 2, kernel: 3, generator: new Generator(1));
        float transposedBound = 1f / MathF.Sqrt(2 * 3 * 3);
        Assert.All(transposed.Weight.ToArray(), w => Assert.InRange(MathF.Abs(w), 0f, transposedBound));
        Assert.True(transposed.Weight.ToArray().Max() > 0.8f * bound);
    }

    [Fact]
    public void SeededGeneratorGivesTheSameWeights()
    {
        var a = new Conv1d(2, 3, kernel: 4, generator: new Generator(42));
        var b = new Conv1d(2, 3, kernel: 4, generator: new Generator(42));
        Assert.Equal(a.Weight.ToArray(), b.Weight.ToArray());
        Assert.Equal(a.Bias!.ToArray(), b.Bias!.ToArray());
    }

    [Fact]
    public void DescriptionsReadLikePyTorch()
    {
        Assert.Equal("Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=same)", new Conv2d(1, 6, kernel: 5, padding: Padding.Same).ToString());
        Assert.Equal("Conv1d(4, 4, kernel_size=(3,), stride=(2,), dilation=(2,), groups=4, bias=False)",
            new Conv1d(4, 4, kernel: 3, stride: 2, dilation: 2, groups: 4, bias: false).ToString());
        Assert.Equal("ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), groups=2)",
            new ConvTranspose2d(4, 6, kernel: 3, stride: 2, padding: 1, outputPadding: 1, groups: 2).ToString());
    }

    [Fact]
    public void ConvTransposeUndoesTheShapeOfAStridedConv()
    {
        var down = new Conv2d(3, 8, kernel: 3, stride: 2, padding: 1);
        var up = new ConvTranspose2d(8, 3, kernel: 3, stride: 2, padding: 1, outputPadding: 1);
        var x = Tensor.Randn(1, 3, 16, 10);
        Assert.Equal(x.Shape, up.Forward(down.Forward(x)).Shape);
    }
}
