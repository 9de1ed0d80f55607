using Fovea.Nn;

namespace Fovea.Tests.Nn;

/// <summary>
/// Sequential runs a convolution followed by a ReLU as one fused op (ConvNd.ForwardRelu). It must give exactly what the
/// two layers give one after the other: the same output and the same input, weight and bias gradients (the fused ReLU
/// masks the output gradient where the output is 0, as ReLU's gradient does on its input). Forward hooks switch it off.
/// </summary>
public sealed class ConvReluFusionTests
{
    public static TheoryData<string> Layers() => new() { "conv1d", "conv2d same", "conv2d direct", "conv2d stride groups", "conv2d no bias", "conv3d" };

    [Theory]
    [MemberData(nameof(Layers))]
    public void FusedPairMatchesTheTwoLayersInTurn(string name)
    {
        var random = new Generator(17);
        var (convolution, inputShape) = Create(name, random);
        var fused = new Sequential(convolution, new ReLU());
        var x = Tensor.Randn(new Shape(inputShape), random).RequiresGradient();
        var output = fused.Forward(x);
        var gradOutput = Tensor.Randn(output.Shape, random);
        output.Backward(gradOutput);
        var (fusedX, fusedWeight, fusedBias) = (x.Grad!.ToArray(), convolution.Weight.Grad!.ToArray(), convolution.Bias?.Grad?.ToArray());

        // The same layer called on its own, then F.Relu: the unfused ops.
        x.Grad = null;
        convolution.Weight.Grad = null;
        if (convolution.Bias is not null) convolution.Bias.Grad = null;
        var expected = F.Relu(convolution.Forward(x));
        expected.Backward(gradOutput);

        Assert.Equal(expected.Shape, output.Shape);
        Assert.Equal(expected.ToArray(), output.ToArray());
        Assert.Contains(output.ToArray(), v => v == 0f); // some outputs are clipped, so the mask matters
        Assert.Equal(x.Grad!.ToArray(), fusedX);
        Assert.Equal(convolution.Weight.Grad!.ToArray(), fusedWeight);
        Assert.Equal(convolution.Bias?.Grad?.ToArray(), fusedBias);
    }

    [Fact]
    public void ForwardHooksSeeTheUnfusedLayers()
    {
        var random = new Generator(3);
        var (convolution, inputShape) = Create("conv2d same", random);
        var relu = new ReLU();
        var network = new Sequential(convolution, relu);
        Tensor? seen = null;
        using (relu.RegisterForwardHook((_, input, _) => seen = input))
        {
            var x = Tensor.Randn(new Shape(inputShape), random);
            var output = network.Forward(x);
            Assert.NotNull(seen);
            Assert.Equal(F.Conv2d(x, convolution.Weight, convolution.Bias, padding: Padding.Same).ToArray(), seen!.ToArray());
            Assert.Contains(seen.ToArray(), v => v < 0f); // the pre-activation itself, not the ReLU's output
            Assert.Equal(F.Relu(seen).ToArray(), output.ToArray());
        }
    }

    private static (ConvNd Layer, int[] InputShape) Create(string name, Generator random) => name switch
    {
        "conv1d" => (new Conv1d(3, 4, 3, padding: Padding.Same, generator: random), [2, 3, 11]),
        "conv2d same" => (new Conv2d(2, 5, 3, padding: Padding.Same, generator: random), [3, 2, 9, 7]),
        "conv2d direct" => (new Conv2d(1, 6, 5, padding: Padding.Same, generator: random), [2, 1, 12, 12]), // LeNet's first layer
        "conv2d stride groups" => (new Conv2d(4, 6, 3, stride: 2, groups: 2, generator: random), [2, 4, 9, 8]),
        "conv2d no bias" => (new Conv2d(6, 16, 5, bias: false, generator: random), [2, 6, 14, 14]),
        _ => (new Conv3d(2, 3, 2, generator: random), [1, 2, 4, 5, 3]),
    };
}
