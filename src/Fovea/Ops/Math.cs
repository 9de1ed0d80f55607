using System.Numerics.Tensors;

namespace Fovea;

// Elementwise math: exp, log, sqrt, abs, pow. Forward and backward passes are whole-span (vectorised) kernels.
public sealed partial class Tensor
{
    public Tensor Exp() => Unary("exp", static (x, y) => TensorPrimitives.Exp(x, y),
        static (x, y, g, gradInput) => TensorPrimitives.Multiply(g, y, gradInput));

    public Tensor Log() => Unary("log", static (x, y) => TensorPrimitives.Log(x, y),
        static (x, y, g, gradInput) => TensorPrimitives.Divide(g, x, gradInput));

    public Tensor Sqrt() => Unary("sqrt", static (x, y) => TensorPrimitives.Sqrt(x, y), static (x, y, g, gradInput) =>
    {
        // g·0.5/y
        TensorPrimitives.Divide(g, y, gradInput);
        TensorPrimitives.Multiply(gradInput, 0.5f, gradInput);
    });

    /// <summary>|x|; the gradient at 0 is 0, as in PyTorch.</summary>
    public Tensor Abs() => Unary("abs", static (x, y) => TensorPrimitives.Abs(x, y), static (x, y, g, gradInput) =>
    {
        for (int i = 0; i < gradInput.Length; i++)
            gradInput[i] = g[i] * (x[i] > 0 ? 1f : x[i] < 0 ? -1f : x[i] == 0 ? 0f : float.NaN);
    });

    public Tensor Square() => Unary("square", static (x, y) => TensorPrimitives.Multiply(x, x, y), static (x, y, g, gradInput) =>
    {
        // g·2x
        TensorPrimitives.Multiply(x, g, gradInput);
        TensorPrimitives.Multiply(gradInput, 2f, gradInput);
    });

    public Tensor Pow(float exponent) =>
        Unary("pow", x => MathF.Pow(x, exponent), (x, y) => exponent == 0 ? 0f : exponent * MathF.Pow(x, exponent - 1));
}
