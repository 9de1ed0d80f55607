namespace Fovea;

// Elementwise math: exp, log, sqrt, abs, pow.
public sealed partial class Tensor
{
    public Tensor Exp() => Unary("exp", MathF.Exp, static (x, y) => y);
    public Tensor Log() => Unary("log", MathF.Log, static (x, y) => 1f / x);
    public Tensor Sqrt() => Unary("sqrt", MathF.Sqrt, static (x, y) => 0.5f / y);
    /// <summary>|x|; the gradient at 0 is 0, as in PyTorch.</summary>
    public Tensor Abs() => Unary("abs", MathF.Abs, static (x, y) => x > 0 ? 1f : x < 0 ? -1f : x == 0 ? 0f : float.NaN);
    public Tensor Square() => Unary("square", static x => x * x, static (x, y) => 2f * x);
    public Tensor Pow(float exponent) =>
        Unary("pow", x => MathF.Pow(x, exponent), (x, y) => exponent == 0 ? 0f : exponent * MathF.Pow(x, exponent - 1));
}
