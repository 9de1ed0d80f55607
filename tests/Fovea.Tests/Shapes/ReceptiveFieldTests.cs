using Fovea.Nn;

namespace Fovea.Tests.Shapes;

/// <summary>
/// Receptive fields R_k = 1 + Σ_j (F_j − 1)·Π_{i&lt;j} S_i (S_0 = 1) on stacks worked by hand, and checked
/// independently as the support of the input gradient of one output position (every weight 1, positive
/// inputs, average pooling: an input pixel has a nonzero gradient exactly when it is in the field).
/// </summary>
public sealed class ReceptiveFieldTests
{
    private static int[] Fields(IReadOnlyList<ReceptiveFieldStep> steps) => steps.Select(s => s.Field).ToArray();
    private static int[] Jumps(IReadOnlyList<ReceptiveFieldStep> steps) => steps.Select(s => s.Jump).ToArray();

    [Fact]
    public void MissionExampleTwoThreeByThreeFiltersSeeFivePixels()
    {
        var steps = ReceptiveField.Chain([3, 3], [1, 1]);
        Assert.Equal([3, 5], Fields(steps));
        Assert.Equal([1, 1], Jumps(steps));
    }

    [Fact]
    public void HandWorkedStacks()
    {
        // VGG block pattern: conv3, conv3, pool2/2, conv3, conv3, pool2/2.
        // R: 3, 5, 5 + 1·1 = 6, 6 + 2·2 = 10, 14, 14 + 1·2 = 16; J: 1, 1, 2, 2, 2, 4.
        var vgg = ReceptiveField.Chain([3, 3, 2, 3, 3, 2], [1, 1, 2, 1, 1, 2]);
        Assert.Equal([3, 5, 6, 10, 14, 16], Fields(vgg));
        Assert.Equal([1, 1, 2, 2, 2, 4], Jumps(vgg));

        // AlexNet's features: conv11/4, pool3/2, conv5, pool3/2, conv3, conv3, conv3, pool3/2: the well-known 195.
        var alexnet = ReceptiveField.Chain([11, 3, 5, 3, 3, 3, 3, 3], [4, 2, 1, 2, 1, 1, 1, 2]);
        Assert.Equal([11, 19, 51, 67, 99, 131, 163, 195], Fields(alexnet));
        Assert.Equal(32, alexnet[^1].Jump);

        // LeNet-5: conv5, pool2/2, conv5, pool2/2 → 5, 6, 6 + 4·2 = 14, 14 + 1·2 = 16.
        Assert.Equal([5, 6, 14, 16], Fields(ReceptiveField.Chain([5, 2, 5, 2], [1, 2, 1, 2])));

        // Dilated 3x3 filters with d = 1, 2, 4 (WaveNet/context-module style) span 3, 5, 9: R = 3, 7, 15.
        Assert.Equal([3, 7, 15], Fields(ReceptiveField.Chain([3, 3, 3], [1, 1, 1], [1, 2, 4])));

        // A stride only widens the layers after it: F = 3, S = 2 then F = 3, S = 1 → 3, 3 + 2·2 = 7.
        Assert.Equal([3, 7], Fields(ReceptiveField.Chain([3, 3], [2, 1])));
        Assert.Equal([2, 2], Jumps(ReceptiveField.Chain([3, 3], [2, 1])));
    }

    [Fact]
    public void ChainEqualsTheClosedFormOnRandomStacks()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            int depth = random.Next(1, 9);
            var kernels = Enumerable.Range(0, depth).Select(_ => random.Next(1, 8)).ToArray();
            var strides = Enumerable.Range(0, depth).Select(_ => random.Next(1, 4)).ToArray();
            var dilations = Enumerable.Range(0, depth).Select(_ => random.Next(1, 4)).ToArray();
            var steps = ReceptiveField.Chain(kernels, strides, dilations);
            for (int k = 1; k <= depth; k++)
            {
                // R_k = 1 + Σ_{j=1..k} (F_j − 1)·Π_{i=0..j−1} S_i with S_0 = 1 and F_j the dilated span.
                long expected = 1;
                for (int j = 1; j <= k; j++)
                {
                    long product = 1;
                    for (int i = 1; i <= j - 1; i++) product *= strides[i - 1];
                    expected += (dilations[j - 1] * (kernels[j - 1] - 1)) * product;
                }
                Assert.Equal(expected, steps[k - 1].Field);
                Assert.Equal(strides.Take(k).Aggregate(1, (a, b) => a * b), steps[k - 1].Jump);
            }
        }
    }

    [Fact]
    public void TransposedConvolutionsShrinkTheJump()
    {
        // From R = 5, J = 4: F = 4, S = 2 reaches ceil(4/2) = 2 inputs → R = 5 + 1·4 = 9, J = 2.
        Assert.Equal(new ReceptiveFieldStep(9, 2), ReceptiveField.NextTransposed(new(5, 4), 4, 2));
        // F = 3, S = 1 is an ordinary 3-wide window.
        Assert.Equal(new ReceptiveFieldStep(7, 1), ReceptiveField.NextTransposed(new(5, 1), 3, 1));
        // J = 1 cannot be split into halves of a pixel.
        Assert.Null(ReceptiveField.NextTransposed(new(5, 1), 4, 2));
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReceptiveField.Chain([3, 0], [1, 1]));
        var stride = Assert.Throws<ArgumentOutOfRangeException>(() => ReceptiveField.Chain([3, 3], [1, 0]));
        Assert.Contains("layer 2: stride must be > 0, got 0.", stride.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ReceptiveField.Chain([3], [1], [0]));
        Assert.Throws<ArgumentException>(() => ReceptiveField.Chain([3, 3], [1]));
        Assert.Throws<ArgumentException>(() => ReceptiveField.Chain([3, 3], [1, 1], [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReceptiveField.Next(new(0, 1), 3, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SlidingWindow([3, 3], [1, 0], [1, 1]));
        Assert.Throws<ArgumentException>(() => new SlidingWindow([3, 3], [1], [1, 1]));
    }

    // ---- the same fields measured as gradient supports ----

    /// <summary>Sets every weight to 1 and every bias to 0 (batch norm weights stay 1), so that no gradient cancels.</summary>
    private static void PositiveWeights(Module model)
    {
        foreach (var (name, parameter) in model.NamedParameters())
            parameter.Span.Fill(name.EndsWith("bias", StringComparison.Ordinal) ? 0f : 1f);
    }

    /// <summary>Extent (last − first + 1) of the nonzero input gradient of output position <paramref name="position"/> of channel 0, per spatial dimension.</summary>
    private static int[] GradientSupport(Module model, Shape input, int[] position)
    {
        model.Eval();
        var x = Tensor.Rand(input, new Generator(3), 0.5f, 1.5f);
        x.RequiresGrad = true;
        var y = model.Forward(x);
        var mask = Tensor.Zeros(y.Shape);
        mask[[0, 0, .. position]] = 1f;
        (y * mask).Sum().Backward();
        var gradient = x.Grad!;
        int rank = input.Rank - 2;
        var low = Enumerable.Repeat(int.MaxValue, rank).ToArray();
        var high = Enumerable.Repeat(-1, rank).ToArray();
        var strides = input.Strides();
        var values = gradient.ReadOnlySpan;
        for (int flat = 0; flat < values.Length; flat++)
        {
            if (values[flat] == 0f) continue;
            for (int d = 0; d < rank; d++)
            {
                int coordinate = flat / strides[d + 2] % input[d + 2];
                low[d] = Math.Min(low[d], coordinate);
                high[d] = Math.Max(high[d], coordinate);
            }
        }
        for (int d = 0; d < rank; d++)
        {
            // A field cut by the image border would be measured too small.
            Assert.True(low[d] > 0 && high[d] < input[d + 2] - 1, $"the field of {Shape.Format(position)} touches the border in dimension {d}");
        }
        return [.. Enumerable.Range(0, rank).Select(d => high[d] - low[d] + 1)];
    }

    private static int[] LastField(Module model, Shape input) => [.. model.Summary(input).Layers[^1].ReceptiveField!];

    [Fact]
    public void ChainOfConvolutionsAndPoolingMatchesTheGradientSupport()
    {
        // H: conv3 → 3; avg2/2 → 4, J 2; conv3 d2 (span 5) → 12; conv3/2 → 16, J 4; avg3/1 → 24.
        // W: the same, but the last convolution is 5 wide: 12 + 4·2 = 20, then 28.
        var model = new Sequential(new Conv2d(1, 2, 3), new AvgPool2d(2), new Conv2d(2, 2, 3, dilation: 2),
            new Conv2d(2, 1, (3, 5), stride: 2), new AvgPool2d(3, 1));
        PositiveWeights(model);
        var input = new Shape(1, 1, 64, 64);
        var summary = model.Summary(input);
        Assert.Equal([[3, 3], [4, 4], [12, 12], [16, 20], [24, 28]], summary.Layers.Select(l => l.ReceptiveField!.ToArray()));
        Assert.Equal([[1, 1], [2, 2], [2, 2], [4, 4], [4, 4]], summary.Layers.Select(l => l.Jump!.ToArray()));
        Assert.Equal([24, 28], GradientSupport(model, input, [4, 4]));
    }

    [Fact]
    public void ResidualBlocksTakeTheLargerFieldOfTheTwoPaths()
    {
        // conv3 → 3; block 1: 5, 7, sum with the identity (3) → 7; block 2: conv3/2 → 9 (J 2), conv3 → 13,
        // shortcut 1x1/2 → 7; sum → 13.
        var model = new Sequential(new Conv2d(1, 4, 3, padding: 1), new TestBasicBlock(4, 4, 1), new TestBasicBlock(4, 8, 2));
        PositiveWeights(model);
        var input = new Shape(1, 1, 40, 40);
        var layers = model.Summary(input).Layers;
        var byName = layers.GroupBy(l => l.Name).ToDictionary(g => g.Key, g => g.Last());
        Assert.Equal(7, byName["1.relu"].ReceptiveField![0]);        // after the sum of block 1
        Assert.Equal(9, byName["2.conv1"].ReceptiveField![0]);
        Assert.Equal(2, byName["2.conv1"].Jump![0]);
        Assert.Equal(7, byName["2.downsample.0"].ReceptiveField![0]);
        Assert.Equal([13, 13], LastField(model, input));
        Assert.Equal([13, 13], GradientSupport(model, input, [10, 10]));
    }

    [Fact]
    public void ConcatenatedBranchesTakeTheLargestField()
    {
        // conv3 → 3; branches: 1x1 → 3; 1x1, 3x3 → 5; 1x1, dilated 3x3 (span 5) → 7; max pool 3, 1x1 → 5;
        // concat → 7; conv3 → 9.
        var model = new Sequential(new Conv2d(1, 4, 3, padding: 1), new TestInception(4, 2), new Conv2d(8, 1, 3, padding: 1));
        PositiveWeights(model);
        var input = new Shape(1, 1, 32, 32);
        var layers = model.Summary(input).Layers;
        Assert.Equal([3, 3, 3, 5, 3, 7, 5, 5, 9], layers.Select(l => l.ReceptiveField![0]));
        Assert.Equal([9, 9], GradientSupport(model, input, [16, 16]));
    }

    [Fact]
    public void TransposedConvolutionFieldIsTheLargestOverOutputPositions()
    {
        foreach (var (kernel, expected) in new[] { (4, 5), (3, 5), (2, 3) })
        {
            // conv3/2 → R 3, J 2; transposed F, S = 2 → R = 3 + (ceil(F/2) − 1)·2, J = 1.
            var model = new Sequential(new Conv1d(1, 1, 3, stride: 2), new ConvTranspose1d(1, 1, kernel, stride: 2));
            PositiveWeights(model);
            var input = new Shape(1, 1, 40);
            var last = model.Summary(input).Layers[^1];
            Assert.Equal([expected], last.ReceptiveField!);
            Assert.Equal([1], last.Jump!);
            int outputs = last.OutputShape[2];
            var largest = Enumerable.Range(8, outputs - 16).Max(o => GradientSupport(model, input, [o])[0]);
            Assert.Equal(expected, largest);
        }
    }

    [Fact]
    public void AdaptivePoolingCountsWhenItsWindowsAreEqual()
    {
        // 8 → 2: windows of 4 moved by 4; from conv3 (R 3, J 1): R = 3 + 3·1 = 6, J = 4. 9 → 2: unequal windows, undefined.
        var model = new Sequential(new Conv2d(1, 1, 3, padding: 1), new AdaptiveAvgPool2d(2), new ReLU());
        var layers = model.Summary(new Shape(1, 1, 8, 8)).Layers;
        Assert.Equal([6, 6], layers[1].ReceptiveField!);
        Assert.Equal([4, 4], layers[2].Jump!);
        Assert.Null(model.Summary(new Shape(1, 1, 9, 9)).Layers[1].ReceptiveField);
        Assert.Null(model.Summary(new Shape(1, 1, 9, 9)).Layers[2].ReceptiveField);
    }
}
