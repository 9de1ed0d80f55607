using System.Buffers;
using Fovea.Kernels.Cpu;

namespace Fovea;

/// <summary>Which ELU formula to use (MISSION.md §3).</summary>
public enum EluForm
{
    /// <summary>PyTorch's ELU: z if z > 0, else α(e^z − 1). Continuous; C¹ for α = 1.</summary>
    Standard,

    /// <summary>
    /// The CS230 cheat sheet's max(α(e^z − 1), z), meant for 0 &lt; α ≪ 1. It equals <see cref="Standard"/> only
    /// below the positive crossing z₂ where α(e^z₂ − 1) = z₂ (z₂ ≈ 6.47 for α = 0.01, 3.61 for α = 0.1, 1.26 for α = 0.5): above z₂
    /// the exponential wins again and the output grows like αe^z. For α = 1 it is e^z − 1 everywhere (the
    /// branches touch at 0 only). For α &gt; 1 it is not an ELU at all: α(e^z − 1) for every z ≥ 0 and for
    /// z below the negative crossing z₁ (≈ −1.59 for α = 2), and z on (z₁, 0). Where the branches cross with different slopes
    /// (z = 0 when α ≠ 1, and z₂ or z₁) the gradient is the mean of both slopes (torch.maximum's rule).
    /// </summary>
    CheatSheet,
}

// Activations (torch.nn.functional.relu, leaky_relu, elu, sigmoid, tanh). Each has its own kernel pair.
public static partial class F
{
    /// <summary>max(0, x). The gradient at 0 is 0, as in PyTorch.</summary>
    public static Tensor Relu(Tensor input) =>
        Activation("relu", input, (x, y) => Activations.ReluForward(x, y), (x, y, grad, gradInput) => Activations.ReluBackward(x, grad, gradInput));

    /// <summary>x if x > 0, else negativeSlope·x (equal to the cheat sheet's max(ε·x, x) for ε ≤ 1). Gradient at 0: negativeSlope.</summary>
    public static Tensor LeakyRelu(Tensor input, float negativeSlope = 0.01f)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!float.IsFinite(negativeSlope)) throw new ArgumentOutOfRangeException(nameof(negativeSlope), $"negativeSlope must be finite, got {negativeSlope}.");
        return Activation("leaky_relu", input, (x, y) => Activations.LeakyReluForward(x, y, negativeSlope),
            (x, y, grad, gradInput) => Activations.LeakyReluBackward(x, grad, gradInput, negativeSlope));
    }

    /// <summary>ELU: by default z if z > 0 else α(e^z − 1); <see cref="EluForm.CheatSheet"/> gives max(α(e^z − 1), z) (read its notes).</summary>
    public static Tensor Elu(Tensor input, float alpha = 1f, EluForm form = EluForm.Standard)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!float.IsFinite(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), $"alpha must be finite, got {alpha}.");
        if (!Enum.IsDefined(form)) throw new ArgumentOutOfRangeException(nameof(form), $"Unknown ELU form {form}.");
        bool cheatSheet = form == EluForm.CheatSheet;
        return Activation("elu", input, (x, y) => Activations.EluForward(x, y, alpha, cheatSheet),
            (x, y, grad, gradInput) => Activations.EluBackward(x, grad, gradInput, alpha, cheatSheet));
    }

    /// <summary>1 / (1 + e^−x).</summary>
    public static Tensor Sigmoid(Tensor input) =>
        Activation("sigmoid", input, (x, y) => Activations.SigmoidForward(x, y), (x, y, grad, gradInput) => Activations.SigmoidBackward(y, grad, gradInput));

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor input) =>
        Activation("tanh", input, (x, y) => Activations.TanhForward(x, y), (x, y, grad, gradInput) => Activations.TanhBackward(y, grad, gradInput));

    /// <summary>
    /// ReLU's gradient rule applied through its output, for ops that end in a fused ReLU: gradInput = gradOutput where
    /// output > 0, else 0. The output is > 0 exactly where the ReLU's input is (a NaN input gives a NaN output and a zero
    /// gradient either way), so this equals the separate ReLU's backward without keeping the pre-activation tensor.
    /// </summary>
    internal static void ReluGradientFromOutput(ReadOnlyMemory<float> output, ReadOnlyMemory<float> gradOutput, Memory<float> gradInput) =>
        Activations.ReluBackward(output, gradOutput, gradInput);

    /// <summary>
    /// <paramref name="backward"/> applied to <see cref="ReluGradientFromOutput"/>'s masked gradient, held in pooled scratch
    /// that goes back to the pool when <paramref name="backward"/> returns: for fused ops that only read the masked gradient
    /// (so neither the pre-activation tensor nor its gradient is allocated).
    /// </summary>
    internal static Tensor?[] WithReluMaskedGradient(float[] output, Tensor grad, Func<ReadOnlyMemory<float>, Tensor?[]> backward)
    {
        var masked = ArrayPool<float>.Shared.Rent(grad.Size);
        try
        {
            ReluGradientFromOutput(output, grad.Data, masked.AsMemory(0, grad.Size));
            return backward(masked.AsMemory(0, grad.Size));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(masked);
        }
    }

    /// <summary>
    /// An elementwise activation from its kernel pair: forward(x, y) fills y; backward(x, y, grad, gradInput) fills
    /// gradInput from the saved input x or output y (whichever the derivative needs).
    /// </summary>
    private static Tensor Activation(string opName, Tensor input, Action<float[], float[]> forward,
        Action<float[], float[], float[], float[]> backward)
    {
        ArgumentNullException.ThrowIfNull(input);
        var output = Tensor.NewStorage(input.Size);
        forward(input.Data, output);
        var x = input.Data;
        return Tensor.Record(new Tensor(output, input.Shape), opName, [input], grad =>
        {
            var gradInput = Tensor.NewStorage(grad.Size);
            backward(x, output, grad.Data, gradInput);
            return [new Tensor(gradInput, grad.Shape)];
        });
    }
}

// The common activations as tensor methods (x.Relu(), like torch.Tensor.relu).
public sealed partial class Tensor
{
    public Tensor Relu() => F.Relu(this);
    public Tensor Sigmoid() => F.Sigmoid(this);
    public Tensor Tanh() => F.Tanh(this);
}
