using Fovea.Nn;
using Fovea.Optim;
using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Optim;

/// <summary>Learning-rate schedulers and gradient clipping against tools/golden/optim.py.</summary>
public sealed class SchedulerAndClippingTests
{
    private static Sgd OneParameterSgd(float lr = 0.1f) => new([Tensor.Zeros(1).RequiresGradient()], lr: lr);

    /// <summary>The learning rate at epochs 0..epochs, stepping every scheduler once per epoch in order.</summary>
    private static Tensor Rates(Optimizer optimizer, LRScheduler[] schedulers, int epochs = 10)
    {
        var rates = new List<float> { optimizer.LearningRate };
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            foreach (var scheduler in schedulers) scheduler.Step();
            rates.Add(optimizer.LearningRate);
        }
        return Tensor.FromArray([.. rates]);
    }

    public static TheoryData<string> ScheduleCases() => ["step_lr", "cosine", "cosine_long", "step_then_cosine"];

    private static LRScheduler[] MakeSchedulers(string name, Optimizer optimizer) => name switch
    {
        "step_lr" => [new StepLR(optimizer, stepSize: 3, gamma: 0.5f)],
        "cosine" => [new CosineAnnealingLR(optimizer, tMax: 4, etaMin: 0.001f)],
        "cosine_long" => [new CosineAnnealingLR(optimizer, tMax: 7)],
        // Two schedulers on one optimizer: only the chainable (recursive) forms give PyTorch's numbers here.
        "step_then_cosine" => [new StepLR(optimizer, stepSize: 3, gamma: 0.5f), new CosineAnnealingLR(optimizer, tMax: 4, etaMin: 0.001f)],
        _ => throw new ArgumentException($"Unknown case {name}.", nameof(name)),
    };

    [Theory]
    [MemberData(nameof(ScheduleCases))]
    public void LearningRatesMatchPyTorchOverTenEpochs(string name)
    {
        var optimizer = OneParameterSgd();
        var golden = GoldenCase.Load("optim", "schedulers");
        // PyTorch keeps rates in double; Fovea's are float32, hence 1e-6 relative.
        golden.Compare(name, Rates(optimizer, MakeSchedulers(name, optimizer)), 1e-6f, 1e-9f);
    }

    [Fact]
    public void SchedulerResumesFromItsStateDict()
    {
        var golden = GoldenCase.Load("optim", "schedulers")["cosine"].ToArray();
        var optimizer = OneParameterSgd();
        var scheduler = new CosineAnnealingLR(optimizer, tMax: 4, etaMin: 0.001f);
        for (int epoch = 0; epoch < 4; epoch++) scheduler.Step();
        var (optimizerState, schedulerState) = (optimizer.StateDict(), scheduler.StateDict());

        var resumedOptimizer = OneParameterSgd(lr: 0.7f);
        var resumed = new CosineAnnealingLR(resumedOptimizer, tMax: 99);
        resumedOptimizer.LoadStateDict(optimizerState);
        resumed.LoadStateDict(schedulerState);
        Assert.Equal(4, resumed.LastEpoch);
        Assert.Equal(4, resumed.TMax);
        for (int epoch = 5; epoch <= 10; epoch++)
        {
            resumed.Step();
            Assert.Equal(golden[epoch], resumedOptimizer.LearningRate, 1e-6f * golden[epoch]);
            Assert.Equal(resumedOptimizer.LearningRate, resumed.LastLearningRates[0]);
        }
        Assert.Throws<ArgumentException>(() => resumed.LoadStateDict(new Dictionary<string, Tensor>(schedulerState) { ["gamma"] = Tensor.Scalar(1f) }));
        Assert.Contains("T_max", Assert.Throws<ArgumentException>(() =>
            resumed.LoadStateDict(new Dictionary<string, Tensor>(schedulerState) { ["T_max"] = Tensor.Scalar(0f) })).Message);
        Assert.Equal(4, resumed.TMax);
    }

    [Fact]
    public void SchedulerArgumentsAreChecked()
    {
        Assert.Equal("stepSize", Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR(OneParameterSgd(), stepSize: 0)).ParamName);
        Assert.Equal("tMax", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingLR(OneParameterSgd(), tMax: 0)).ParamName);
    }

    public static TheoryData<string> ClipCases() => ["clip_grad_norm_2", "clip_grad_norm_inf", "clip_grad_norm_1", "clip_grad_norm_3_unclipped"];

    [Theory]
    [MemberData(nameof(ClipCases))]
    public void ClipGradNormMatchesPyTorch(string name)
    {
        var golden = GoldenCase.Load("optim", name);
        var parameters = Enumerable.Range(0, 3).Select(i =>
        {
            var grad = golden[$"grad.{i}"];
            return new { Parameter = Tensor.Zeros(grad.Shape).RequiresGradient(), Grad = grad };
        }).ToList();
        foreach (var p in parameters) p.Parameter.Grad = Tensor.FromSpan(p.Grad.ReadOnlySpan, p.Grad.Shape);
        var withoutGrad = Tensor.Zeros(3).RequiresGradient();
        float total = GradientClipping.ClipGradNorm([.. parameters.Select(p => p.Parameter), withoutGrad],
            golden.Attribute("max_norm"), golden.Attribute("norm_type"));
        golden.Compare("total_norm", Tensor.FromArray([total]));
        for (int i = 0; i < parameters.Count; i++) golden.Compare($"clipped.{i}", parameters[i].Parameter.Grad!);
        Assert.Null(withoutGrad.Grad);
    }

    [Fact]
    public void ClipGradValueMatchesPyTorch()
    {
        var golden = GoldenCase.Load("optim", "clip_grad_value");
        var parameter = Tensor.Zeros(4, 5).RequiresGradient();
        parameter.Grad = Tensor.FromSpan(golden["grad"].ReadOnlySpan, golden["grad"].Shape);
        GradientClipping.ClipGradValue([parameter, Tensor.Zeros(2).RequiresGradient()], 0.75f);
        golden.Compare("clipped", parameter.Grad);
    }

    [Fact]
    public void ClippingArgumentsAndEdgeCases()
    {
        var parameter = Tensor.Zeros(2).RequiresGradient();
        Assert.Equal(0f, GradientClipping.ClipGradNorm([parameter], 1f));
        Assert.Equal("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipGradNorm([parameter], -1f)).ParamName);
        Assert.Equal("normType", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipGradNorm([parameter], 1f, 0f)).ParamName);
        Assert.Equal("clipValue", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipGradValue([parameter], -1f)).ParamName);
        parameter.Grad = Tensor.FromArray([float.NaN, 1f]);
        Assert.True(float.IsNaN(GradientClipping.ClipGradNorm([parameter], 1f)));
        Assert.Throws<InvalidOperationException>(() => GradientClipping.ClipGradNorm([parameter], 1f, errorIfNonfinite: true));
    }
}
