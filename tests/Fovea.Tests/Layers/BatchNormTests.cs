using Fovea.Nn;
using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Layers;

/// <summary>F.BatchNorm against PyTorch's F.batch_norm (tools/golden/pool_act_norm.py, same case names).</summary>
public sealed class BatchNormOpTests : OpCaseTests<BatchNormOpTests>, IOpCatalogue
{
    public static string Group => "pool_act_norm";

    // Fixed running statistics for the eval-mode gradient checks (they are constants, not inputs).
    private static readonly Tensor Mean3 = Tensor.FromArray([0.3f, -0.2f, 1.1f]), Var3 = Tensor.FromArray([0.7f, 1.4f, 0.9f]);

    public static IReadOnlyList<OpCase> Cases { get; } =
    [
        new("batch_norm_train_nc", x => F.BatchNorm(x[0], null, null, x[1], x[2], training: true), [[6, 4], [4], [4]]),
        new("batch_norm_train_nchw", x => F.BatchNorm(x[0], null, null, x[1], x[2], training: true, eps: 1e-3f), [[2, 3, 4, 5], [3], [3]]),
        new("batch_norm_train_no_affine", x => F.BatchNorm(x[0], null, null, training: true), [[4, 3, 5]]),
        new("batch_norm_eval", x => F.BatchNorm(x[0], x[1], x[2], x[3], x[4], training: false), null,
            Note: "golden only: the running statistics are inputs there; the eval gradient check is batch_norm_eval_fixed_stats"),
        new("batch_norm_eval_no_affine", x => F.BatchNorm(x[0], x[1], x[2], training: false), null,
            Note: "golden only; see batch_norm_eval_fixed_stats"),
        new("batch_norm_eval_fixed_stats", x => F.BatchNorm(x[0], Mean3, Var3, x[1], x[2], training: false), [[2, 3, 4], [3], [3]], HasGolden: false,
            Note: "gradient check of eval mode; its golden is batch_norm_eval"),
    ];
}

/// <summary>BatchNorm1d / BatchNorm2d modules: PyTorch goldens (outputs, gradients, running statistics) and validation.</summary>
public sealed class BatchNormModuleTests
{
    private const string Group = "pool_act_norm";

    [Fact]
    public void BatchNorm1dOnNCMatchesPyTorch() => GoldenCase.Load(Group, "bn1d_train_nc").CheckModule(new BatchNorm1d(4));

    [Fact]
    public void BatchNorm1dOnNCLWithMomentumMatchesPyTorch() =>
        GoldenCase.Load(Group, "bn1d_train_ncl").CheckModule(new BatchNorm1d(3, momentum: 0.3f));

    [Fact]
    public void BatchNorm1dCumulativeAverageMatchesPyTorch() =>
        GoldenCase.Load(Group, "bn1d_cumulative").CheckModule(new BatchNorm1d(3, momentum: null));

    [Fact]
    public void BatchNorm2dTrainingStepMatchesPyTorch() => GoldenCase.Load(Group, "bn2d_train").CheckModule(new BatchNorm2d(3, eps: 1e-3f));

    [Fact]
    public void BatchNorm2dWithoutAffineMatchesPyTorch() =>
        GoldenCase.Load(Group, "bn2d_train_no_affine").CheckModule(new BatchNorm2d(3, affine: false));

    [Fact]
    public void BatchNorm2dEvalUsesGivenRunningStatistics()
    {
        var module = new BatchNorm2d(3);
        module.Eval();
        GoldenCase.Load(Group, "bn2d_eval").CheckModule(module, loadAfterForwardBuffers: true);
    }

    [Fact]
    public void BatchNorm2dWithoutTrackingUsesBatchStatisticsInEval()
    {
        var module = new BatchNorm2d(3, trackRunningStats: false);
        module.Eval();
        GoldenCase.Load(Group, "bn2d_no_track_eval").CheckModule(module);
        Assert.Empty(module.NamedBuffers());
    }

    [Fact]
    public void StateDictUsesPyTorchNamesAndShapes()
    {
        var state = new BatchNorm2d(5).StateDict();
        Assert.Equal(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], state.Keys);
        Assert.Equal(0, state["num_batches_tracked"].Rank);
        Assert.Equal(new Shape(5), state["running_var"].Shape);
        Assert.Equal(10, new BatchNorm2d(5).ParameterCount());
        Assert.Equal(0, new BatchNorm1d(5, affine: false).ParameterCount());
    }

    [Fact]
    public void TrainingStepsCountBatchesAndEvalLeavesStatisticsAlone()
    {
        var module = new BatchNorm1d(2);
        var x = Tensor.Randn(new Shape(8, 2), new Generator(5));
        module.Forward(x);
        module.Forward(x);
        Assert.Equal(2f, module.NumBatchesTracked!.Item());
        var mean = module.RunningMean!.ToArray();
        module.Eval();
        module.Forward(x);
        Assert.Equal(2f, module.NumBatchesTracked!.Item());
        Assert.Equal(mean, module.RunningMean!.ToArray());
        module.ResetRunningStats();
        Assert.Equal([0f, 0f], module.RunningMean!.ToArray());
        Assert.Equal([1f, 1f], module.RunningVar!.ToArray());
    }

    [Fact]
    public void ChannelMismatchNamesTheShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => new BatchNorm2d(4).Forward(Tensor.Zeros(2, 3, 5, 5)));
        Assert.Contains("(2, 3, 5, 5)", error.Message);
        Assert.Contains("expected 4", error.Message);
        var functional = Assert.Throws<ArgumentException>(() => F.BatchNorm(Tensor.Zeros(2, 3, 4), null, null, Tensor.Ones(4), training: true));
        Assert.Equal("weight", functional.ParamName);
        Assert.Contains("(4)", functional.Message);
    }

    [Fact]
    public void WrongRankNamesTheExpectedLayout()
    {
        var error = Assert.Throws<ArgumentException>(() => new BatchNorm2d(3).Forward(Tensor.Zeros(2, 3, 5)));
        Assert.Contains("(2, 3, 5)", error.Message);
        Assert.Contains("(N, C, H, W)", error.Message);
        var error1d = Assert.Throws<ArgumentException>(() => new BatchNorm1d(3).Forward(Tensor.Zeros(2, 3, 4, 4)));
        Assert.Contains("(N, C) or (N, C, L)", error1d.Message);
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(3, eps: -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(3, momentum: 1.5f));
        // One value per channel cannot be normalised in training (PyTorch raises too).
        var single = Assert.Throws<ArgumentException>(() => new BatchNorm1d(3).Forward(Tensor.Zeros(1, 3)));
        Assert.Contains("more than 1 value per channel", single.Message);
        Assert.Throws<ArgumentException>(() => F.BatchNorm(Tensor.Zeros(2, 3), null, null, training: false));
    }
}
