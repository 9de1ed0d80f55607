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
        BinaryBroadcast("add", a, b, static (x, y) => x + y, g => g, g => g);

    public static Tensor Sub(Tensor a, Tensor b) =>
        BinaryBroadcast("sub", a, b, static (x, y) => x - y, g => g, g => g.Neg());

    public static Tensor Mul(Tensor a, Tensor b)
    {
        var (sa, sb) = (a.Detach(), b.Detach());
        return BinaryBroadcast("mul", a, b, static (x, y) => x * y, g => g * sb, g => g * sa);
    }

    public static Tensor Div(Tensor a, Tensor b)
    {
        var (sa, sb) = (a.Detach(), b.Detach());
        return BinaryBroadcast("div", a, b, static (x, y) => x / y, g => g / sb, g => (g * sa / (sb * sb)).Neg());
    }

    /// <summary>
    /// Elementwise op with broadcasting. The gradient functions return the gradient in the
    /// broadcast shape; it is summed back to each input's shape here.
    /// </summary>
    private static Tensor BinaryBroadcast(string opName, Tensor a, Tensor b, Func<float, float, float> op,
        Func<Tensor, Tensor> gradA, Func<Tensor, Tensor> gradB)
    {
        var outShape = Broadcast.ResultShape(a.Shape, b.Shape, opName);
        var output = NewStorage(outShape.Size);
        if (a.Shape == b.Shape)
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
        var output = new float[target.Size];
        var strides = Broadcast.StridesIn(target, Shape);
        // Accumulate every element of this into its broadcast source position.
        var index = new int[Rank];
        int position = 0;
        for (int flat = 0; flat < Size; flat++)
        {
            output[position] += data[flat];
            for (int axis = Rank - 1; axis >= 0; axis--)
            {
                index[axis]++;
                position += strides[axis];
                if (index[axis] < Shape[axis]) break;
                position -= strides[axis] * index[axis];
                index[axis] = 0;
            }
        }
        return new Tensor(output, target);
    }

    public Tensor AddScalar(float value) => Unary("add_scalar", x => x + value, (x, y) => 1f);
    public Tensor MulScalar(float value) => Unary("mul_scalar", x => x * value, (x, y) => value);
    public Tensor Neg() => Unary("neg", static x => -x, static (x, y) => -1f);
    public Tensor Reciprocal() => Unary("reciprocal", static x => 1f / x, static (x, y) => -y * y);

    /// <summary>this += other, elementwise, same shape, not recorded (for gradient accumulation and optimizers).</summary>
    internal Tensor AddInPlace(Tensor other)
    {
        if (other.Shape != Shape) throw new ArgumentException($"AddInPlace: shapes {Shape} and {other.Shape} differ.", nameof(other));
        System.Numerics.Tensors.TensorPrimitives.Add(data, other.data, data);
        return this;
    }

    /// <summary>
    /// Elementwise op y = f(x) with derivative dy/dx = derivative(x, y). Reference path for the
    /// simple math ops; hot activations get their own kernels.
    /// </summary>
    internal Tensor Unary(string opName, Func<float, float> forward, Func<float, float, float> derivative)
    {
        var output = NewStorage(Size);
        for (int i = 0; i < output.Length; i++) output[i] = forward(data[i]);
        var result = new Tensor(output, Shape);
        var input = data;
        return Record(result, opName, [this], g =>
        {
            var grad = NewStorage(g.Size);
            for (int i = 0; i < grad.Length; i++) grad[i] = g.data[i] * derivative(input[i], output[i]);
            return [new Tensor(grad, g.Shape)];
        });
    }
}
