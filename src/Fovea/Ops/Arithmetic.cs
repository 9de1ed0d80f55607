using System.Numerics.Tensors;
using Fovea.Kernels.Cpu;

namespace Fovea;

// Broadcasting arithmetic: + - * / between tensors and with scalars.
public sealed partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);
    public static Tensor operator -(Tensor a, Tensor b) => Sub(a, b);
    public static Tensor operator *(Tensor a, Tensor b) => Mul(a, b);
    public static Tensor operator /(Tensor a, Tensor b) => Div(a, b);
    public static Tensor operator +(Tensor a, float b) => a.AddScalar(b);
    public static Tensor operator +(float a, Tensor b) => b.AddScalar(a);
    public static Tensor operator -(Tensor a, float b) => a.AddScalar(-b);
    public static Tensor operator -(float a, Tensor b) => b.Neg().AddScalar(a);
    public static Tensor operator *(Tensor a, float b) => a.MulScalar(b);
    public static Tensor operator *(float a, Tensor b) => b.MulScalar(a);
    public static Tensor operator /(Tensor a, float b) => a.MulScalar(1f / b);
    public static Tensor operator /(float a, Tensor b) => b.Reciprocal().MulScalar(a);
    public static Tensor operator -(Tensor a) => a.Neg();

    public static Tensor Add(Tensor a, Tensor b) =>
        BinaryBroadcast("add", a, b, static (x, y) => x + y, g => g, g => g, ArithmeticOperator.Add);

    public static Tensor Sub(Tensor a, Tensor b) =>
        BinaryBroadcast("sub", a, b, static (x, y) => x - y, g => g, g => g.Neg(), ArithmeticOperator.Subtract);

    public static Tensor Mul(Tensor a, Tensor b)
    {
        var (sa, sb) = (a.Detach(), b.Detach());
        return BinaryBroadcast("mul", a, b, static (x, y) => x * y, g => g * sb, g => g * sa, ArithmeticOperator.Multiply);
    }

    public static Tensor Div(Tensor a, Tensor b)
    {
        var (sa, sb) = (a.Detach(), b.Detach());
        return BinaryBroadcast("div", a, b, static (x, y) => x / y, g => g / sb, g => (g * sa / (sb * sb)).Neg(), ArithmeticOperator.Divide);
    }

    /// <summary>
    /// Elementwise op with broadcasting. The gradient functions return the gradient in the
    /// broadcast shape; it is summed back to each input's shape here. The four arithmetic operators pass
    /// <paramref name="arithmetic"/> and run the vectorised kernel; other ops run <paramref name="op"/> per element.
    /// </summary>
    private static Tensor BinaryBroadcast(string opName, Tensor a, Tensor b, Func<float, float, float> op,
        Func<Tensor, Tensor> gradA, Func<Tensor, Tensor> gradB, ArithmeticOperator? arithmetic = null)
    {
        var outShape = Broadcast.ResultShape(a.Shape, b.Shape, opName);
        var output = NewStorage(outShape.Size);
        if (arithmetic is { } kind)
            Elementwise.Binary(kind, a.data, Broadcast.StridesIn(a.Shape, outShape), b.data, Broadcast.StridesIn(b.Shape, outShape), output, outShape);
        else if (a.Shape == b.Shape)
        {
            var (x, y) = (a.data, b.data);
            for (int i = 0; i < output.Length; i++) output[i] = op(x[i], y[i]);
        }
        else
            Broadcast.Binary(a.data, Broadcast.StridesIn(a.Shape, outShape), b.data, Broadcast.StridesIn(b.Shape, outShape), output, outShape, op);
        var result = new Tensor(output, outShape);
        var (shapeA, shapeB) = (a.Shape, b.Shape);
        return Record(result, opName, [a, b], g => [
            a.RequiresGrad ? gradA(g).SumToShape(shapeA) : null,
            b.RequiresGrad ? gradB(g).SumToShape(shapeB) : null]);
    }

    /// <summary>Sums a broadcast gradient back to <paramref name="target"/> (the inverse of broadcasting).</summary>
    internal Tensor SumToShape(Shape target)
    {
        if (Shape == target) return this;
        var output = NewStorage(target.Size);
        Elementwise.SumTo(data, Shape, Broadcast.StridesIn(target, Shape), output);
        return new Tensor(output, target);
    }

    public Tensor AddScalar(float value) => Unary("add_scalar",
        (x, y) => TensorPrimitives.Add(x, value, y), static (x, y, g, gradInput) => g.CopyTo(gradInput));
    public Tensor MulScalar(float value) => Unary("mul_scalar",
        (x, y) => TensorPrimitives.Multiply(x, value, y), (x, y, g, gradInput) => TensorPrimitives.Multiply(g, value, gradInput));
    public Tensor Neg() => Unary("neg",
        static (x, y) => TensorPrimitives.Negate(x, y), static (x, y, g, gradInput) => TensorPrimitives.Negate(g, gradInput));
    public Tensor Reciprocal() => Unary("reciprocal", static (x, y) => TensorPrimitives.Reciprocal(x, y), static (x, y, g, gradInput) =>
    {
        // −g·y² (the derivative of 1/x is −1/x²)
        TensorPrimitives.Multiply(y, y, gradInput);
        TensorPrimitives.Multiply(gradInput, g, gradInput);
        TensorPrimitives.Negate(gradInput, gradInput);
    });

    /// <summary>this += other, elementwise, same shape, not recorded (for gradient accumulation and optimizers).</summary>
    internal Tensor AddInPlace(Tensor other)
    {
        if (other.Shape != Shape) throw new ArgumentException($"AddInPlace: shapes {Shape} and {other.Shape} differ.", nameof(other));
        System.Numerics.Tensors.TensorPrimitives.Add(data, other.data, data);
        return this;
    }

    /// <summary>
    /// Elementwise op y = f(x) with derivative dy/dx = derivative(x, y), one delegate call per element: the
    /// path of the rarely used math ops; the common ones use the vectorised overload below.
    /// </summary>
    internal Tensor Unary(string opName, Func<float, float> forward, Func<float, float, float> derivative) =>
        Unary(opName,
            (x, y) => { for (int i = 0; i < y.Length; i++) y[i] = forward(x[i]); },
            (x, y, g, gradInput) => { for (int i = 0; i < gradInput.Length; i++) gradInput[i] = g[i] * derivative(x[i], y[i]); });

    /// <summary>Maps a whole input span to its output span (y = f(x)).</summary>
    internal delegate void SpanMap(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>gradInput = g · f'(x), from the input x, the output y and the output gradient g.</summary>
    internal delegate void SpanGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> gradInput);

    /// <summary>
    /// Elementwise op y = f(x) whose forward and backward passes each run over whole spans (TensorPrimitives),
    /// so they vectorise; the spans are split over the worker threads for large tensors.
    /// </summary>
    internal Tensor Unary(string opName, SpanMap forward, SpanGradient backward)
    {
        var output = NewStorage(Size);
        var input = data;
        WorkSplit.For(output.Length, 1, (start, end) => forward(input.AsSpan(start, end - start), output.AsSpan(start, end - start)));
        var result = new Tensor(output, Shape);
        return Record(result, opName, [this], g =>
        {
            var grad = NewStorage(g.Size);
            var upstream = g.data;
            WorkSplit.For(grad.Length, 1, (start, end) => backward(input.AsSpan(start, end - start), output.AsSpan(start, end - start),
                upstream.AsSpan(start, end - start), grad.AsSpan(start, end - start)));
            return [new Tensor(grad, g.Shape)];
        });
    }
}
