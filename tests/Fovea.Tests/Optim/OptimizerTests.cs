using Fovea.Optim;
using Fovea.Serialization;
using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Optim;

/// <summary>
/// Linear(4, 3) + MSE on fixed data, stepped 5 times from PyTorch's initial parameters, against
/// tools/golden/optim.py: parameters after every step, the loss before it, and the optimizer state at the end.
/// </summary>
public sealed class OptimizerTests
{
    private const float Relative = 1e-5f, Absolute = 1e-6f;

    public static TheoryData<string> Cases() =>
    [
        "sgd_plain", "sgd_momentum_dampening_weight_decay", "sgd_nesterov", "sgd_groups",
        "adam", "adam_weight_decay", "adam_amsgrad", "adamw", "adamw_amsgrad",
    ];

    /// <summary>The optimizer each golden run used, with the same settings.</summary>
    private static Optimizer Make(string name, Tensor weight, Tensor bias) => name switch
    {
        "sgd_plain" => new Sgd([weight, bias], lr: 0.1f),
        "sgd_momentum_dampening_weight_decay" => new Sgd([weight, bias], lr: 0.1f, momentum: 0.9f, dampening: 0.1f, weightDecay: 0.01f),
        "sgd_nesterov" => new Sgd([weight, bias], lr: 0.05f, momentum: 0.8f, weightDecay: 0.001f, nesterov: true),
        "sgd_groups" => new Sgd([new ParameterGroup([weight]), new ParameterGroup([bias], learningRate: 0.01f, weightDecay: 0f)],
            lr: 0.1f, momentum: 0.5f, weightDecay: 0.05f),
        "adam" => new Adam([weight, bias], lr: 0.01f),
        "adam_weight_decay" => new Adam([weight, bias], lr: 0.01f, beta1: 0.8f, beta2: 0.99f, eps: 1e-3f, weightDecay: 0.1f),
        "adam_amsgrad" => new Adam([weight, bias], lr: 0.02f, amsgrad: true),
        "adamw" => new AdamW([weight, bias], lr: 0.01f, weightDecay: 0.1f),
        "adamw_amsgrad" => new AdamW([weight, bias], lr: 0.01f, amsgrad: true),
        _ => throw new ArgumentException($"Unknown case {name}.", nameof(name)),
    };

    private static Tensor Copy(Tensor t) => Tensor.FromSpan(t.ReadOnlySpan, t.Shape);

    private static (Tensor Weight, Tensor Bias) InitialParameters(GoldenCase golden) =>
        (Copy(golden["param.weight"]).RequiresGradient(), Copy(golden["param.bias"]).RequiresGradient());

    /// <summary>One training step on the fixed problem; returns the loss before the update.</summary>
    private static float TrainStep(Optimizer optimizer, GoldenCase golden, Tensor weight, Tensor bias)
    {
        optimizer.ZeroGrad();
        var loss = F.MseLoss(F.Linear(golden["x"], weight, bias), golden["y"]);
        loss.Backward();
        optimizer.Step();
        return loss.Item();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchForFiveSteps(string name)
    {
        var golden = GoldenCase.Load("optim", name);
        var (weight, bias) = InitialParameters(golden);
        var optimizer = Make(name, weight, bias);
        for (int step = 1; step <= 5; step++)
        {
            float loss = TrainStep(optimizer, golden, weight, bias);
            golden.Compare($"step{step}.loss", Tensor.FromArray([loss]), Relative, Absolute);
            golden.Compare($"step{step}.weight", weight, Relative, Absolute);
            golden.Compare($"step{step}.bias", bias, Relative, Absolute);
        }
        // Same state entries, under the same keys, as PyTorch's optimizer.state.
        var state = optimizer.StateDict();
        foreach (var key in state.Keys.Where(k => k.StartsWith("state.", StringComparison.Ordinal)))
        {
            Assert.True(golden.Has(key), $"{name}: Fovea keeps {key}, PyTorch does not.");
            golden.Compare(key, state[key], Relative, Absolute);
        }
        foreach (var index in new[] { 0, 1 })
            foreach (var entry in new[] { "momentum_buffer", "step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq" })
                Assert.True(!golden.Has($"state.{index}.{entry}") || state.ContainsKey($"state.{index}.{entry}"),
                    $"{name}: PyTorch keeps state.{index}.{entry}, Fovea does not.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ResumesExactlyFromACheckpointFile(string name)
    {
        var golden = GoldenCase.Load("optim", name);
        var (weight, bias) = InitialParameters(golden);
        var optimizer = Make(name, weight, bias);
        for (int step = 0; step < 3; step++) TrainStep(optimizer, golden, weight, bias);

        var path = Path.Combine(Path.GetTempPath(), $"fovea-optim-{name}-{Guid.NewGuid():N}.safetensors");
        try
        {
            var checkpoint = optimizer.StateDict();
            checkpoint["model.weight"] = weight.Detach();
            checkpoint["model.bias"] = bias.Detach();
            Safetensors.Write(path, checkpoint);

            var saved = Safetensors.Read(path);
            var (resumedWeight, resumedBias) = (Copy(saved["model.weight"]).RequiresGradient(), Copy(saved["model.bias"]).RequiresGradient());
            var resumed = Make(name, resumedWeight, resumedBias);
            resumed.LoadStateDict(saved.Where(kv => !kv.Key.StartsWith("model.", StringComparison.Ordinal)).ToDictionary());
            for (int step = 3; step < 5; step++)
            {
                TrainStep(optimizer, golden, weight, bias);
                TrainStep(resumed, golden, resumedWeight, resumedBias);
            }
            Assert.Equal(weight.ToArray(), resumedWeight.ToArray());
            Assert.Equal(bias.ToArray(), resumedBias.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ParametersWithoutGradientAreSkipped()
    {
        var used = Tensor.FromArray([1f, 2f]).RequiresGradient();
        var unused = Tensor.FromArray([3f, 4f]).RequiresGradient();
        var optimizer = new Adam([used, unused], lr: 0.1f);
        (used * used).Sum().Backward();
        optimizer.Step();
        Assert.NotEqual([1f, 2f], used.ToArray());
        Assert.Equal([3f, 4f], unused.ToArray());
        Assert.DoesNotContain(optimizer.StateDict().Keys, k => k.StartsWith("state.1.", StringComparison.Ordinal));
        optimizer.ZeroGrad();
        Assert.Null(used.Grad);
    }

    [Fact]
    public void LearningRateSetsEveryGroup()
    {
        var (a, b) = (Tensor.Zeros(2).RequiresGradient(), Tensor.Zeros(3).RequiresGradient());
        var optimizer = new Sgd([new ParameterGroup([a]), new ParameterGroup([b], learningRate: 0.5f)], lr: 0.1f);
        Assert.Equal([0.1f, 0.5f], optimizer.ParameterGroups.Select(g => g.LearningRate));
        optimizer.LearningRate = 0.02f;
        Assert.Equal([0.02f, 0.02f], optimizer.ParameterGroups.Select(g => g.LearningRate));
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.LearningRate = -1f);
        Assert.Equal(0.01f, new AdamW([a]).ParameterGroups[0].WeightDecay);
    }

    [Fact]
    public void BadHyperparametersThrowPyTorchsErrors()
    {
        Tensor[] p = [Tensor.Zeros(2).RequiresGradient()];
        Assert.Equal("lr", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(p, lr: -0.1f)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(p, lr: 0.1f, momentum: -0.5f)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(p, lr: 0.1f, weightDecay: -1f)).ParamName);
        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => new Sgd(p, lr: 0.1f, nesterov: true)).Message);
        Assert.Throws<ArgumentException>(() => new Sgd(p, lr: 0.1f, momentum: 0.9f, dampening: 0.1f, nesterov: true));
        Assert.Contains("index 0", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(p, beta1: 1f)).Message);
        Assert.Contains("index 1", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(p, beta2: -0.1f)).Message);
        Assert.Equal("eps", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(p, eps: -1e-8f)).ParamName);
        Assert.Equal("lr", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(p, lr: -1f)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParameterGroup(p, learningRate: -1f));
        Assert.Throws<ArgumentException>(() => new Sgd(Array.Empty<Tensor>(), lr: 0.1f));
        Assert.Throws<ArgumentException>(() => new Sgd([p[0], p[0]], lr: 0.1f));
        Assert.Throws<ArgumentException>(() => new Sgd([p[0] * 2f], lr: 0.1f));
    }

    [Fact]
    public void LoadStateDictRejectsMismatchesAndChangesNothing()
    {
        var weight = Tensor.Ones(2, 2).RequiresGradient();
        var optimizer = new Sgd([weight], lr: 0.1f, momentum: 0.9f);
        weight.Sum().Backward();
        optimizer.Step();
        var good = optimizer.StateDict();
        var wrongShape = new Dictionary<string, Tensor>(good) { ["state.0.momentum_buffer"] = Tensor.Zeros(3) };
        Assert.Contains("(3)", Assert.Throws<ArgumentException>(() => optimizer.LoadStateDict(wrongShape)).Message);
        var unknownEntry = new Dictionary<string, Tensor>(good) { ["state.0.exp_avg"] = Tensor.Zeros(2, 2), ["param_groups.0.lr"] = Tensor.Scalar(5f) };
        Assert.Throws<ArgumentException>(() => optimizer.LoadStateDict(unknownEntry));
        var missing = new Dictionary<string, Tensor>(good);
        missing.Remove("param_groups.0.lr");
        Assert.Throws<ArgumentException>(() => optimizer.LoadStateDict(missing));
        Assert.Equal(0.1f, optimizer.LearningRate);
        Assert.Equal(good["state.0.momentum_buffer"].ToArray(), optimizer.StateDict()["state.0.momentum_buffer"].ToArray());
    }
}
