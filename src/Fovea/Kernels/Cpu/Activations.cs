using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// The production activation kernels, tested against <see cref="Reference"/>: whole arrays split over the worker
/// threads when large, each part vectorised (TensorPrimitives, or an <see cref="IElementOperator"/> where it has
/// no matching op). The arguments are the tensors' arrays; forward y = g(x), backward gradInput = gradOutput·g'(x).
/// </summary>
internal static partial class Activations
{
    public static void ReluForward(ReadOnlyMemory<float> x, Memory<float> y) =>
        WorkSplit.For(y.Length, 1, (start, end) => TensorPrimitives.Max(x.Span[start..end], 0f, y.Span[start..end]));

    public static void ReluBackward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> gradOutput, Memory<float> gradInput) =>
        VectorLoop.ApplyParallel(new ReluGradient(), x, gradOutput, gradInput);

    public static void LeakyReluForward(ReadOnlyMemory<float> x, Memory<float> y, float negativeSlope) =>
        VectorLoop.ApplyParallel(new LeakyRelu(negativeSlope), x, x, y);

    public static void LeakyReluBackward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> gradOutput, Memory<float> gradInput, float negativeSlope) =>
        VectorLoop.ApplyParallel(new LeakyReluGradient(negativeSlope), x, gradOutput, gradInput);

    /// <summary>ELU keeps the reference's double-precision exponential; only the split over threads is added.</summary>
    public static void EluForward(ReadOnlyMemory<float> x, Memory<float> y, float alpha, bool cheatSheetForm) =>
        WorkSplit.For(y.Length, 8, (start, end) => Reference.EluForward(x.Span[start..end], y.Span[start..end], alpha, cheatSheetForm));

    public static void EluBackward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> gradOutput, Memory<float> gradInput, float alpha, bool cheatSheetForm) =>
        WorkSplit.For(gradInput.Length, 8, (start, end) =>
            Reference.EluBackward(x.Span[start..end], gradOutput.Span[start..end], gradInput.Span[start..end], alpha, cheatSheetForm));

    public static void SigmoidForward(ReadOnlyMemory<float> x, Memory<float> y) =>
        WorkSplit.For(y.Length, 8, (start, end) => TensorPrimitives.Sigmoid(x.Span[start..end], y.Span[start..end]));

    public static void SigmoidBackward(ReadOnlyMemory<float> y, ReadOnlyMemory<float> gradOutput, Memory<float> gradInput) =>
        VectorLoop.ApplyParallel(new SigmoidGradient(), y, gradOutput, gradInput);

    public static void TanhForward(ReadOnlyMemory<float> x, Memory<float> y) =>
        WorkSplit.For(y.Length, 8, (start, end) => TensorPrimitives.Tanh(x.Span[start..end], y.Span[start..end]));

    public static void TanhBackward(ReadOnlyMemory<float> y, ReadOnlyMemory<float> gradOutput, Memory<float> gradInput) =>
        VectorLoop.ApplyParallel(new TanhGradient(), y, gradOutput, gradInput);

    /// <summary>(x, g) -> x > 0 ? g : 0 (g'(0) = 0; NaN input gives 0, as in the reference).</summary>
    private readonly struct ReluGradient : IElementOperator
    {
        public float Apply(float x, float g) => x > 0 ? g : 0f;
        public Vector256<float> Apply(Vector256<float> x, Vector256<float> g) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), g, Vector256<float>.Zero);
        public Vector512<float> Apply(Vector512<float> x, Vector512<float> g) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), g, Vector512<float>.Zero);
    }

    /// <summary>(x, _) -> x > 0 ? x : slope·x.</summary>
    private readonly struct LeakyRelu(float slope) : IElementOperator
    {
        public float Apply(float x, float unused) => x > 0 ? x : x * slope;
        public Vector256<float> Apply(Vector256<float> x, Vector256<float> unused) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, x * slope);
        public Vector512<float> Apply(Vector512<float> x, Vector512<float> unused) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, x * slope);
    }

    /// <summary>(x, g) -> x > 0 ? g : slope·g (g'(0) = slope).</summary>
    private readonly struct LeakyReluGradient(float slope) : IElementOperator
    {
        public float Apply(float x, float g) => x > 0 ? g : g * slope;
        public Vector256<float> Apply(Vector256<float> x, Vector256<float> g) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), g, g * slope);
        public Vector512<float> Apply(Vector512<float> x, Vector512<float> g) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), g, g * slope);
    }

    /// <summary>(y, g) -> g·y·(1 − y), multiplied left to right as in the reference.</summary>
    private readonly struct SigmoidGradient : IElementOperator
    {
        public float Apply(float y, float g) => g * y * (1f - y);
        public Vector256<float> Apply(Vector256<float> y, Vector256<float> g) => g * y * (Vector256<float>.One - y);
        public Vector512<float> Apply(Vector512<float> y, Vector512<float> g) => g * y * (Vector512<float>.One - y);
    }

    /// <summary>(y, g) -> g·(1 − y²).</summary>
    private readonly struct TanhGradient : IElementOperator
    {
        public float Apply(float y, float g) => g * (1f - y * y);
        public Vector256<float> Apply(Vector256<float> y, Vector256<float> g) => g * (Vector256<float>.One - y * y);
        public Vector512<float> Apply(Vector512<float> y, Vector512<float> g) => g * (Vector512<float>.One - y * y);
    }
}
