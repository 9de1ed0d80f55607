using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Layers;

/// <summary>
/// F.BatchNormActivation (act(batch_norm(x) + residual)) against PyTorch's separate ops (tools/golden/batch_norm_activation.py,
/// same case names) and finite differences.
/// </summary>
public sealed class BatchNormActivationOpTests : OpCaseTests<BatchNormActivationOpTests>, IOpCatalogue
{
    public static string Group => "batch_norm_activation";

    // Fixed running statistics for the eval-mode gradient checks (constants, not inputs).
    private static readonly Tensor Mean3 = Tensor.FromArray([0.3f, -0.2f, 1.1f]), Var3 = Tensor.FromArray([0.7f, 1.4f, 0.9f]);

    private static Tensor Train(Tensor x, Tensor? weight, Tensor? bias, Tensor? residual, bool relu, float eps = 1e-5f) =>
        F.BatchNormActivation(x, null, null, weight, bias, training: true, momentum: 0.1f, eps, residual, relu);

    private static Tensor Eval(Tensor x, Tensor mean, Tensor variance, Tensor? weight, Tensor? bias, Tensor? residual, bool relu) =>
        F.BatchNormActivation(x, mean, variance, weight, bias, training: false, momentum: 0.1f, eps: 1e-5f, residual, relu);

    public static IReadOnlyList<OpCase> Cases { get; } =
    [
        new("train_relu", x => Train(x[0], x[1], x[2], null, relu: true), null,
            MakeInputs: AwayFromTheKink(x => Train(x[0], x[1], x[2], null, relu: false), [2, 3, 4, 5], [3], [3])),
        new("train_residual_relu", x => Train(x[0], x[1], x[2], x[3], relu: true, eps: 1e-3f), null,
            MakeInputs: AwayFromTheKink(x => Train(x[0], x[1], x[2], x[3], relu: false, eps: 1e-3f), [2, 3, 4, 5], [3], [3], [2, 3, 4, 5])),
        new("train_residual", x => Train(x[0], x[1], x[2], x[3], relu: false), [[4, 3, 5], [3], [3], [4, 3, 5]]),
        new("train_nc_relu", x => Train(x[0], x[1], x[2], null, relu: true), null,
            MakeInputs: AwayFromTheKink(x => Train(x[0], x[1], x[2], null, relu: false), [6, 3], [3], [3])),
        new("eval_residual_relu", x => Eval(x[0], x[1], x[2], x[3], x[4], x[5], relu: true), null,
            Note: "golden only: the running statistics are inputs there; the eval gradient check is eval_residual_relu_fixed_stats"),
        new("eval_relu", x => Eval(x[0], x[1], x[2], x[3], x[4], null, relu: true), null, Note: "golden only; see eval_residual_relu_fixed_stats"),
        new("eval_residual_relu_fixed_stats", x => Eval(x[0], Mean3, Var3, x[1], x[2], x[3], relu: true), null, HasGolden: false,
            MakeInputs: AwayFromTheKink(x => Eval(x[0], Mean3, Var3, x[1], x[2], x[3], relu: false), [2, 3, 4], [3], [3], [2, 3, 4]),
            Note: "gradient check of eval mode; its golden is eval_residual_relu"),
        new("train_no_affine_residual_relu", x => Train(x[0], null, null, x[1], relu: true), null, HasGolden: false,
            MakeInputs: AwayFromTheKink(x => Train(x[0], null, null, x[1], relu: false), [3, 3, 4], [3, 3, 4]),
            Note: "no affine parameters: equal to F.BatchNorm's own golden-tested path, see BatchNormActivationEqualityTests"),
    ];

    /// <summary>
    /// Random inputs (the first seed from the given one that works) whose ReLU inputs all lie at least 0.02 from 0: the
    /// finite differences (step 1e-3, which moves a normalised value by about 1e-3·γ/σ) then never cross the kink.
    /// </summary>
    private static Func<int, Tensor[]> AwayFromTheKink(Func<Tensor[], Tensor> beforeRelu, params int[][] shapes) => seed =>
    {
        for (int attempt = seed; ; attempt++)
        {
            var inputs = GradCheck.RandomInputs(attempt, shapes);
            using (Autograd.NoGrad())
                if (beforeRelu(inputs).ToArray().All(v => MathF.Abs(v) >= 0.02f)) return inputs;
        }
    };
}

/// <summary>
/// The fused op against F.BatchNorm, + residual, F.Relu run one after the other: bit-identical outputs, input, weight,
/// bias and residual gradients and running statistics in every mode (each element goes through the same float
/// operations), non-finite values included; its validation; and that it records a single node.
/// </summary>
public sealed class BatchNormActivationEqualityTests
{
    public static TheoryData<bool, bool, bool, bool, bool> Modes()
    {
        // training, residual, relu, affine, running statistics
        var data = new TheoryData<bool, bool, bool, bool, bool>();
        foreach (bool training in new[] { true, false })
            foreach (bool residual in new[] { true, false })
                foreach (bool relu in new[] { true, false })
                    foreach (bool affine in new[] { true, false })
                        data.Add(training, residual, relu, affine, true);
        data.Add(true, true, true, true, false);  // training without running statistics
        data.Add(true, false, true, false, false);
        return data;
    }

    /// <summary>The arguments of one call, copied so that the fused and unfused runs each get their own leaves and statistics.</summary>
    private sealed record Arguments(Tensor Input, Tensor? Mean, Tensor? Variance, Tensor? Weight, Tensor? Bias, Tensor? Residual)
    {
        public static Arguments Create(int[] shape, bool residual, bool affine, bool runningStatistics, ulong seed,
            bool residualRequiresGrad = true, bool nonFinite = false)
        {
            var random = new Generator(seed);
            int channels = shape[1];
            var x = Tensor.Randn(new Shape(shape), random, mean: 0.4f, std: 1.5f).RequiresGradient();
            Tensor? r = residual ? Tensor.Randn(new Shape(shape), random).RequiresGradient(residualRequiresGrad) : null;
            if (r is not null && nonFinite)
            {
                r.Span[3] = float.NaN;
                r.Span[5] = float.PositiveInfinity;
                r.Span[8] = float.NegativeInfinity;
            }
            return new Arguments(x,
                runningStatistics ? Tensor.Randn(new Shape(channels), random, std: 0.3f) : null,
                runningStatistics ? Tensor.Rand(new Shape(channels), random, low: 0.5f, high: 1.5f) : null,
                affine ? Tensor.Randn(new Shape(channels), random).RequiresGradient() : null,
                affine ? Tensor.Randn(new Shape(channels), random).RequiresGradient() : null,
                r);
        }

        public Arguments Copy() => new(Leaf(Input)!, Mean?.Detach().Clone(), Variance?.Detach().Clone(), Leaf(Weight), Leaf(Bias), Leaf(Residual));

        private static Tensor? Leaf(Tensor? tensor) => tensor?.Detach().Clone().RequiresGradient(tensor.RequiresGrad);

        public IEnumerable<(string Name, Tensor? Tensor)> Leaves() =>
            [("input", Input), ("weight", Weight), ("bias", Bias), ("residual", Residual)];
    }

    private static Tensor Fused(Arguments a, bool training, bool relu) =>
        F.BatchNormActivation(a.Input, a.Mean, a.Variance, a.Weight, a.Bias, training, momentum: 0.2f, eps: 1e-4f, a.Residual, relu);

    private static Tensor Unfused(Arguments a, bool training, bool relu)
    {
        var y = F.BatchNorm(a.Input, a.Mean, a.Variance, a.Weight, a.Bias, training, momentum: 0.2f, eps: 1e-4f);
        if (a.Residual is not null) y += a.Residual;
        return relu ? F.Relu(y) : y;
    }

    private static void AssertIdentical(Tensor? expected, Tensor? actual, string label)
    {
        Assert.True((expected is null) == (actual is null), $"{label}: one is null");
        if (expected is null) return;
        Assert.Equal(expected.Shape, actual!.Shape);
        var (e, a) = (expected.ToArray(), actual.ToArray());
        for (int i = 0; i < e.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(e[i]) == BitConverter.SingleToInt32Bits(a[i]) || (float.IsNaN(e[i]) && float.IsNaN(a[i])),
                $"{label}[{i}]: fused {a[i]:R}, unfused {e[i]:R}");
    }

    private static void CompareBothWays(int[] shape, bool training, bool residual, bool relu, bool affine, bool runningStatistics,
        bool residualRequiresGrad = true, bool nonFinite = false)
    {
        var unfused = Arguments.Create(shape, residual, affine, runningStatistics || !training, 90, residualRequiresGrad, nonFinite);
        var fused = unfused.Copy();
        var (expected, actual) = (Unfused(unfused, training, relu), Fused(fused, training, relu));
        AssertIdentical(expected, actual, "output");
        if (relu) Assert.Contains(actual.ToArray(), v => v == 0f);
        else Assert.Contains(actual.ToArray(), v => v < 0f);
        AssertIdentical(unfused.Mean, fused.Mean, "running mean");
        AssertIdentical(unfused.Variance, fused.Variance, "running variance");

        var gradOutput = Tensor.Randn(actual.Shape, new Generator(91));
        expected.Backward(gradOutput);
        actual.Backward(gradOutput);
        foreach (var ((name, want), (_, got)) in unfused.Leaves().Zip(fused.Leaves()))
            if (want is not null && want.RequiresGrad) AssertIdentical(want.Grad, got!.Grad, name + " gradient");
            else if (got is not null) Assert.Null(got.Grad);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void EqualsTheSeparateOps(bool training, bool residual, bool relu, bool affine, bool runningStatistics) =>
        CompareBothWays([3, 4, 5, 6], training, residual, relu, affine, runningStatistics);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EqualsTheSeparateOpsOnNCInputAndWithAResidualThatNeedsNoGradient(bool training)
    {
        CompareBothWays([8, 5], training, residual: true, relu: true, affine: true, runningStatistics: true);
        // The masked gradient then lives in pooled scratch only.
        CompareBothWays([2, 3, 17, 9], training, residual: true, relu: true, affine: true, runningStatistics: true, residualRequiresGrad: false);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NonFiniteResidualsGiveWhatTheSeparateOpsGive(bool relu) =>
        // NaN, +∞ and −∞ in the residual: NaN and ±∞ outputs (NaN and 0 after the ReLU), zero gradient where the ReLU's input is NaN or −∞.
        CompareBothWays([2, 3, 4, 4], training: true, residual: true, relu, affine: true, runningStatistics: true, nonFinite: true);

    [Fact]
    public void RecordsOneNodeOverTheInputsAndTheResidual()
    {
        var a = Arguments.Create([2, 3, 4, 4], residual: true, affine: true, runningStatistics: true, 92);
        var output = Fused(a, training: true, relu: true);
        Assert.Equal("batch_norm_add_relu", output.GradFn!.OpName);
        Assert.True(output.GradFn.Inputs.SequenceEqual([a.Input, a.Weight!, a.Bias!, a.Residual!]));
        Assert.Equal("batch_norm_relu", Fused(a.Copy() with { Residual = null }, training: true, relu: true).GradFn!.OpName);
        Assert.Equal("batch_norm", F.BatchNorm(a.Input, null, null, training: true).GradFn!.OpName);
    }

    [Fact]
    public void ResidualOfAnotherShapeThrowsBeforeAnyWork()
    {
        var a = Arguments.Create([2, 3, 4, 4], residual: false, affine: true, runningStatistics: true, 93);
        var mean = a.Mean!.ToArray();
        var error = Assert.Throws<ArgumentException>(() =>
            F.BatchNormActivation(a.Input, a.Mean, a.Variance, a.Weight, a.Bias, true, 0.1f, 1e-5f, Tensor.Zeros(1, 3, 1, 1), relu: true));
        Assert.Equal("residual", error.ParamName);
        Assert.Contains("(1, 3, 1, 1)", error.Message);
        Assert.Contains("(2, 3, 4, 4)", error.Message);
        Assert.Equal(mean, a.Mean.ToArray());
        // The batch norm's own checks are F.BatchNorm's.
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() =>
            F.BatchNormActivation(a.Input, null, null, Tensor.Ones(4), null, true, 0.1f, 1e-5f, null, relu: true)).ParamName);
        Assert.Contains("more than 1 value per channel", Assert.Throws<ArgumentException>(() =>
            F.BatchNormActivation(Tensor.Zeros(1, 3), null, null, null, null, true, 0.1f, 1e-5f, Tensor.Zeros(1, 3), relu: true)).Message);
    }
}
