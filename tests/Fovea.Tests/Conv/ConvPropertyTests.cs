using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Conv;

/// <summary>Padding-mode formulas (MISSION.md §2), unbatched inputs, the adjoint identity of the
/// transposed convolution, and a direct (loop) convolution as an independent reference.</summary>
public sealed class ConvPropertyTests
{
    [Fact]
    public void SamePaddingFollowsTheMissionFormulasAndKeepsCeilOfInputOverStride()
    {
        var generator = new Generator(3);
        using var _ = Autograd.NoGrad();
        for (int input = 1; input <= 20; input++)
        for (int kernel = 1; kernel <= 7; kernel++)
        for (int stride = 1; stride <= 4; stride++)
        for (int dilation = 1; dilation <= 2; dilation++)
        {
            int effective = dilation * (kernel - 1) + 1;
            int ceil = (int)Math.Ceiling(input / (double)stride);
            // P_start = floor((S·ceil(I/S) − I + F − S)/2), P_end = ceil(...), never negative.
            double half = (stride * ceil - input + effective - stride) / 2.0;
            var expected = ((int)Math.Max(0, Math.Floor(half)), (int)Math.Max(0, Math.Ceiling(half)));
            var label = $"I={input} F={kernel} S={stride} d={dilation}";
            Assert.True(expected == Padding.Same.Resolve(0, input, kernel, stride, dilation), label);
            Assert.True(ceil == WindowGeometry.OutputSize(input, kernel, stride, expected.Item1, expected.Item2, dilation), label);
            var output = F.Conv1d(Tensor.Randn(new Shape(1, 1, input), generator), Tensor.Randn(new Shape(1, 1, kernel), generator),
                stride: stride, padding: Padding.Same, dilation: dilation);
            Assert.True(new Shape(1, 1, ceil) == output.Shape, label);
        }
    }

    [Theory]
    [InlineData(5, 3, 1, 7)]   // Full at stride 1: I + F − 1
    [InlineData(6, 2, 1, 7)]
    [InlineData(5, 3, 2, 4)]   // (5 + 4 − 3)/2 + 1
    public void FullPaddingLetsTheFilterSeeTheInputEndToEnd(int input, int kernel, int stride, int expected)
    {
        var output = F.Conv1d(Tensor.Randn(1, 1, input), Tensor.Randn(1, 1, kernel), stride: stride, padding: Padding.Full);
        Assert.Equal(expected, output.Dim(-1));
    }

    [Fact]
    public void ValidDropsTheIncompleteLastWindow()
    {
        // Windows start at 0 and 3; a third would need positions 6..7 of a length-7 input.
        var x = Tensor.Arange(7).Reshape(1, 1, 7);
        var output = F.Conv1d(x, Tensor.Ones(1, 1, 2), stride: 3);
        TensorAssert.Close([0 + 1, 3 + 4], output.Reshape(2));
    }

    [Fact]
    public void UnbatchedInputMatchesABatchOfOne()
    {
        var (x, w, b) = (Tensor.Randn(3, 6, 5).RequiresGradient(), Tensor.Randn(4, 3, 3, 2).RequiresGradient(), Tensor.Randn(4));
        var unbatched = F.Conv2d(x, w, b, stride: (2, 1), padding: Padding.Same);
        Assert.Equal(new Shape(4, 3, 5), unbatched.Shape);
        unbatched.Sum().Backward();
        var xBatch = x.Detach().Reshape(1, 3, 6, 5).RequiresGradient();
        var batched = F.Conv2d(xBatch, w.Detach(), b, stride: (2, 1), padding: Padding.Same);
        TensorAssert.Close(batched.Reshape(4, 3, 5), unbatched, 0, 0);
        batched.Sum().Backward();
        TensorAssert.Close(xBatch.Grad!.Reshape(3, 6, 5), x.Grad!, 0, 0);

        var transposed = F.ConvTranspose2d(Tensor.Randn(4, 3, 5), Tensor.Randn(4, 2, 3, 3), stride: 2);
        Assert.Equal(new Shape(2, 7, 11), transposed.Shape);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TransposedConvolutionIsTheAdjointOfConvolution(int groups)
    {
        // <conv(x), y> = <x, conv_transpose(y)> for the same weight, stride, padding and dilation.
        var generator = new Generator(9);
        var x = Tensor.Randn(new Shape(2, 4, 9, 8), generator);
        var weight = Tensor.Randn(new Shape(6, 4 / groups, 3, 2), generator);
        var forward = F.Conv2d(x, weight, stride: (2, 3), padding: (1, 1), dilation: (1, 2), groups: groups);
        var y = Tensor.Randn(forward.Shape, generator);
        // Output padding recovers the rows and columns that the strided convolution never reached.
        var back = F.ConvTranspose2d(y, weight, stride: (2, 3), padding: (1, 1), outputPadding: (0, 1), groups: groups, dilation: (1, 2));
        Assert.Equal(x.Shape, back.Shape);
        double left = Dot(forward, y), right = Dot(x, back);
        Assert.True(Math.Abs(left - right) <= 1e-4 * Math.Abs(left) + 1e-4, $"<conv(x), y> = {left}, <x, convT(y)> = {right}");
    }

    [Fact]
    public void Conv3dMatchesADirectLoop()
    {
        var generator = new Generator(4);
        var x = Tensor.Randn(new Shape(2, 4, 5, 6, 7), generator);
        var weight = Tensor.Randn(new Shape(6, 2, 2, 3, 2), generator);
        var bias = Tensor.Randn(new Shape(6), generator);
        int[] stride = [2, 1, 3], dilation = [1, 2, 2];
        (int, int)[] padding = [(1, 0), (0, 2), (1, 1)];
        var actual = F.Conv3d(x, weight, bias, stride: stride, padding: Padding.Asymmetric(padding), dilation: dilation, groups: 2);
        var expected = DirectConvolution(x, weight, bias, stride, dilation, padding, groups: 2);
        // Summation order differs (the GEMM accumulates in double); values are O(1)-O(10).
        TensorAssert.Close(expected, actual, 1e-5f, 1e-5f, "conv3d vs direct loop");
    }

    [Fact]
    public void Conv1dAndConv2dAgreeWithConv3dOnUnitDimensions()
    {
        var generator = new Generator(8);
        var x = Tensor.Randn(new Shape(2, 3, 11), generator);
        var weight = Tensor.Randn(new Shape(4, 3, 3), generator);
        var conv1 = F.Conv1d(x, weight, stride: 2, padding: Padding.Same, dilation: 2);
        var conv2 = F.Conv2d(x.Reshape(2, 3, 1, 11), weight.Reshape(4, 3, 1, 3), stride: (1, 2), padding: Padding.Same, dilation: (1, 2));
        var direct = DirectConvolution(x.Reshape(2, 3, 1, 1, 11), weight.Reshape(4, 3, 1, 1, 3), null, [1, 1, 2], [1, 1, 2],
            [(0, 0), (0, 0), Padding.Same.Resolve(0, 11, 3, 2, 2)], groups: 1);
        TensorAssert.Close(direct.Reshape(conv1.Shape.ToArray()), conv1, 1e-5f, 1e-5f);
        TensorAssert.Close(conv1.Reshape(conv2.Shape.ToArray()), conv2, 0, 0);
    }

    private static double Dot(Tensor a, Tensor b)
    {
        double sum = 0;
        for (int i = 0; i < a.Size; i++) sum += (double)a.ReadOnlySpan[i] * b.ReadOnlySpan[i];
        return sum;
    }

    /// <summary>Textbook convolution: every output element summed tap by tap. x: (N, C, D, H, W).</summary>
    private static Tensor DirectConvolution(Tensor x, Tensor weight, Tensor? bias, int[] stride, int[] dilation, (int Start, int End)[] padding, int groups)
    {
        int n = x.Shape[0], outChannels = weight.Shape[0], perGroup = weight.Shape[1];
        var size = new int[3];
        for (int i = 0; i < 3; i++)
            size[i] = (x.Shape[2 + i] + padding[i].Start + padding[i].End - dilation[i] * (weight.Shape[2 + i] - 1) - 1) / stride[i] + 1;
        var output = Tensor.Zeros(n, outChannels, size[0], size[1], size[2]);
        int outPerGroup = outChannels / groups;
        for (int b = 0; b < n; b++)
        for (int o = 0; o < outChannels; o++)
        for (int od = 0; od < size[0]; od++)
        for (int oh = 0; oh < size[1]; oh++)
        for (int ow = 0; ow < size[2]; ow++)
        {
            double sum = bias is null ? 0 : bias[o];
            for (int c = 0; c < perGroup; c++)
            for (int kd = 0; kd < weight.Shape[2]; kd++)
            for (int kh = 0; kh < weight.Shape[3]; kh++)
            for (int kw = 0; kw < weight.Shape[4]; kw++)
            {
                int id = od * stride[0] + kd * dilation[0] - padding[0].Start;
                int ih = oh * stride[1] + kh * dilation[1] - padding[1].Start;
                int iw = ow * stride[2] + kw * dilation[2] - padding[2].Start;
                if (id < 0 || ih < 0 || iw < 0 || id >= x.Shape[2] || ih >= x.Shape[3] || iw >= x.Shape[4]) continue;
                sum += (double)x[b, o / outPerGroup * perGroup + c, id, ih, iw] * weight[o, c, kd, kh, kw];
            }
            output[b, o, od, oh, ow] = (float)sum;
        }
        return output;
    }
}
