using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Layers;

/// <summary>Activations and softmax against PyTorch (tools/golden/pool_act_norm.py, same case names).</summary>
public sealed class ActivationOpTests : OpCaseTests<ActivationOpTests>, IOpCatalogue
{
    public static string Group => "pool_act_norm";

    /// <summary>Normal samples pushed at least 0.05 away from <paramref name="kinks"/>, so that finite differences never straddle one.</summary>
    public static Tensor[] AwayFrom(int seed, float[] kinks, params int[] shape)
    {
        var x = Tensor.Randn(new Shape(shape), new Generator((ulong)seed), std: 2f);
        var values = x.Span;
        for (int i = 0; i < values.Length; i++)
            foreach (float kink in kinks)
                if (MathF.Abs(values[i] - kink) < 0.05f) values[i] = kink + (values[i] >= kink ? 0.05f : -0.05f);
        return [x.RequiresGradient()];
    }

    private static OpCase Kinked(string name, Func<Tensor, Tensor> op, float[] kinks) =>
        new(name, x => op(x[0]), null, MakeInputs: seed => AwayFrom(seed, kinks, 3, 7));

    public static IReadOnlyList<OpCase> Cases { get; } =
    [
        Kinked("relu", x => F.Relu(x), [0f]),
        Kinked("leaky_relu", x => F.LeakyRelu(x), [0f]),
        Kinked("leaky_relu_0_2", x => F.LeakyRelu(x, 0.2f), [0f]),
        Kinked("elu", x => F.Elu(x), [0f]),
        Kinked("elu_alpha_0_5", x => F.Elu(x, 0.5f), [0f]),
        // The cheat-sheet form has kinks where its branches cross: 0 and z2 = 3.615 (alpha 0.1), z1 = -1.594 (alpha 2).
        Kinked("elu_sheet_alpha_0_1", x => F.Elu(x, 0.1f, EluForm.CheatSheet), [0f, 3.615f]),
        Kinked("elu_sheet_alpha_1", x => F.Elu(x, 1f, EluForm.CheatSheet), []),
        Kinked("elu_sheet_alpha_2", x => F.Elu(x, 2f, EluForm.CheatSheet), [0f, -1.594f]),
        new("sigmoid", x => F.Sigmoid(x[0]), [[4, 6]]),
        new("tanh", x => F.Tanh(x[0]), [[4, 6]]),
        new("softmax_dim0", x => F.Softmax(x[0], 0), [[4, 3, 5]]),
        new("softmax_dim1", x => F.Softmax(x[0], 1), [[2, 4, 5]]),
        new("softmax_last", x => F.Softmax(x[0], -1), [[3, 6]]),
        // Inputs around ±1000: exp would overflow without the max subtraction. Golden only (the
        // finite-difference step is below float resolution at 1000).
        new("softmax_large_last", x => F.Softmax(x[0], -1), null),
        new("softmax_large_dim1", x => F.Softmax(x[0], 1), null),
        new("log_softmax_dim0", x => F.LogSoftmax(x[0], 0), [[4, 3, 5]]),
        new("log_softmax_dim1", x => F.LogSoftmax(x[0], 1), [[2, 4, 5]]),
        new("log_softmax_last", x => F.LogSoftmax(x[0], -1), [[3, 6]]),
        new("log_softmax_large_last", x => F.LogSoftmax(x[0], -1), null),
        new("log_softmax_large_dim0", x => F.LogSoftmax(x[0], 0), null),
    ];

    [Fact]
    public void TensorMethodsMatchFunctionalForms()
    {
        var x = Tensor.Randn(new Shape(3, 4), new Generator(3));
        Assert.Equal(F.Relu(x).ToArray(), x.Relu().ToArray());
        Assert.Equal(F.Sigmoid(x).ToArray(), x.Sigmoid().ToArray());
        Assert.Equal(F.Tanh(x).ToArray(), x.Tanh().ToArray());
    }

    [Fact]
    public void GradientsAtTheKinkFollowPyTorch()
    {
        // ReLU'(0) = 0, LeakyReLU'(0) = slope, ELU'(0) = alpha; cheat-sheet ELU at its crossing 0: mean of the slopes.
        float[] Gradient(Func<Tensor, Tensor> op)
        {
            var x = Tensor.FromArray([0f]).RequiresGradient();
            op(x).Sum().Backward();
            return x.Grad!.ToArray();
        }
        Assert.Equal([0f], Gradient(F.Relu));
        Assert.Equal([0.2f], Gradient(x => F.LeakyRelu(x, 0.2f)));
        Assert.Equal([0.5f], Gradient(x => F.Elu(x, 0.5f)));
        Assert.Equal([0.75f], Gradient(x => F.Elu(x, 0.5f, EluForm.CheatSheet)));
        Assert.Equal([1f], Gradient(x => F.Elu(x, 1f, EluForm.CheatSheet)));
    }

    [Fact]
    public void CheatSheetEluMatchesStandardOnlyBelowItsCrossing()
    {
        // alpha = 0.1: identical to the usual ELU below z2 ≈ 3.615, exponential above it.
        var x = Tensor.FromArray([-3f, -0.5f, 0f, 1f, 3.5f, 4f, 6f]);
        var sheet = F.Elu(x, 0.1f, EluForm.CheatSheet).ToArray();
        var standard = F.Elu(x, 0.1f).ToArray();
        for (int i = 0; i < 5; i++) Assert.Equal(standard[i], sheet[i]);
        Assert.Equal(0.1f * (MathF.Exp(4f) - 1f), sheet[5], 4);
        Assert.True(sheet[6] > 6f * 6f);
        // alpha = 2 > 1: exponential on the whole positive side, so not an ELU.
        Assert.Equal(2f * (MathF.Exp(1f) - 1f), F.Elu(Tensor.FromArray([1f]), 2f, EluForm.CheatSheet).Item(), 5);
    }

    [Fact]
    public void SoftmaxRowsSumToOneForHugeInputs()
    {
        var x = Tensor.FromArray([1e30f, 1e30f, -1e30f, 5e4f, 5e4f + 1f, 5e4f - 1f], 2, 3);
        var p = F.Softmax(x, 1).ToArray();
        Assert.All(p, v => Assert.True(float.IsFinite(v)));
        Assert.Equal([0.5f, 0.5f, 0f], p[..3]);
        Assert.Equal(1f, p[3] + p[4] + p[5], 6);
        Assert.All(F.LogSoftmax(x, 1).ToArray(), v => Assert.False(float.IsNaN(v)));
    }

    [Fact]
    public void SoftmaxDimOutOfRangeThrows()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => F.Softmax(Tensor.Zeros(2, 3), 2));
        Assert.Contains("(2, 3)", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.LogSoftmax(Tensor.Zeros(2, 3), -3));
    }

    [Fact]
    public void ActivationModulesMatchPyTorch()
    {
        GoldenCase.Load(Group, "relu").CheckModule(new Fovea.Nn.ReLU());
        GoldenCase.Load(Group, "leaky_relu_0_2").CheckModule(new Fovea.Nn.LeakyReLU(0.2f));
        GoldenCase.Load(Group, "elu_alpha_0_5").CheckModule(new Fovea.Nn.ELU(0.5f));
        GoldenCase.Load(Group, "elu_sheet_alpha_0_1").CheckModule(new Fovea.Nn.ELU(0.1f, EluForm.CheatSheet));
        GoldenCase.Load(Group, "sigmoid").CheckModule(new Fovea.Nn.Sigmoid());
        GoldenCase.Load(Group, "tanh").CheckModule(new Fovea.Nn.Tanh());
        GoldenCase.Load(Group, "softmax_dim1").CheckModule(new Fovea.Nn.Softmax(1));
        GoldenCase.Load(Group, "log_softmax_last").CheckModule(new Fovea.Nn.LogSoftmax(-1));
    }

    [Fact]
    public void NonFiniteArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Fovea.Nn.LeakyReLU(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Fovea.Nn.ELU(float.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.Elu(Tensor.Zeros(2), 1f, (EluForm)7));
    }
}
