using Fovea.Kernels.Cpu;
using static Fovea.Tests.Kernels.KernelAssert;

namespace Fovea.Tests.Kernels;

/// <summary>
/// Elementwise.Binary (collapsed broadcasting, one vector op per row) and Elementwise.SumTo against the
/// per-element references Broadcast.Binary and Broadcast.SumTo, on same-shape, scalar, bias-like and general
/// broadcasts with every inner length from 1 to 33; the vectorised unary math ops against MathF per element.
/// </summary>
public sealed class ElementwiseKernelTests
{
    private static readonly (ArithmeticOperator Operator, Func<float, float, float> Scalar)[] Operators =
    [
        (ArithmeticOperator.Add, static (x, y) => x + y),
        (ArithmeticOperator.Subtract, static (x, y) => x - y),
        (ArithmeticOperator.Multiply, static (x, y) => x * y),
        (ArithmeticOperator.Divide, static (x, y) => x / y),
    ];

    public static TheoryData<int[], int[]> ShapePairs()
    {
        var data = new TheoryData<int[], int[]>();
        for (int n = 1; n <= 33; n++)
        {
            data.Add([3, n], [3, n]);          // same shape
            data.Add([2, n], [1]);             // tensor ∘ scalar
            data.Add([1], [n, 2]);             // scalar ∘ tensor
            data.Add([4, n], [n]);             // Linear's bias: rows + row
            data.Add([2, 3, n, 2], [3, 1, 1]); // conv-style bias: planes + per-channel scalar
            data.Add([n, 1], [1, 5]);          // outer product shape
            data.Add([2, 1, n], [3, 1]);       // both broadcast
        }
        data.Add([], []);
        data.Add([0, 3], [3]);
        data.Add([300, 300], [300, 1]); // large enough for several workers
        return data;
    }

    [Theory]
    [MemberData(nameof(ShapePairs))]
    public void BinaryEqualsTheReferenceExactly(int[] shapeA, int[] shapeB)
    {
        var random = new Generator((ulong)(shapeA.Sum() * 100 + shapeB.Sum()));
        var (a, b) = (new Shape(shapeA), new Shape(shapeB));
        var outShape = Broadcast.ResultShape(a, b, "test");
        var (x, y) = (Values(random, a.Size), Values(random, b.Size));
        var (stridesA, stridesB) = (Broadcast.StridesIn(a, outShape), Broadcast.StridesIn(b, outShape));
        foreach (var (op, scalar) in Operators)
        {
            var expected = new float[outShape.Size];
            Broadcast.Binary(x, stridesA, y, stridesB, expected, outShape, scalar);
            var actual = Enumerable.Repeat(float.NaN, outShape.Size).ToArray();
            Elementwise.Binary(op, x, stridesA, y, stridesB, actual, outShape);
            Equal(expected, actual, $"{op} {a} {b}");
        }
    }

    [Theory]
    [MemberData(nameof(ShapePairs))]
    public void SumToMatchesTheReference(int[] shapeA, int[] shapeB)
    {
        var random = new Generator((ulong)(shapeA.Sum() * 10 + shapeB.Sum()));
        var outShape = Broadcast.ResultShape(new Shape(shapeA), new Shape(shapeB), "test");
        var source = Values(random, outShape.Size);
        foreach (var target in new[] { new Shape(shapeA), new Shape(shapeB) })
        {
            var strides = Broadcast.StridesIn(target, outShape);
            var expected = new float[target.Size];
            Broadcast.SumTo(source, outShape, strides, expected);
            var magnitude = new float[target.Size];
            Broadcast.SumTo(Abs(source), outShape, strides, magnitude);
            var actual = Enumerable.Repeat(float.NaN, target.Size).ToArray();
            Elementwise.SumTo(source, outShape, strides, actual);
            // Rows reduced to one value are summed by TensorPrimitives.Sum, in another order than the reference.
            Close(expected, actual, magnitude, $"sum {outShape} to {target}");
        }
    }

    [Fact]
    public void VectorisedUnaryOpsMatchMathFPerElement()
    {
        for (int n = 1; n <= 33; n++)
        {
            var random = new Generator((ulong)n);
            var values = Values(random, n).Select(v => 3f * v).ToArray();
            var positive = values.Select(v => Math.Abs(v) + 0.1f).ToArray();
            var x = Tensor.FromArray(values).RequiresGradient();
            var p = Tensor.FromArray(positive).RequiresGradient();
            CheckUnary("exp", x, x.Exp(), MathF.Exp, (v, y) => y);
            CheckUnary("log", p, p.Log(), MathF.Log, (v, y) => 1f / v);
            CheckUnary("sqrt", p, p.Sqrt(), MathF.Sqrt, (v, y) => 0.5f / y);
            CheckUnary("abs", x, x.Abs(), MathF.Abs, (v, y) => Math.Sign(v));
            CheckUnary("square", x, x.Square(), v => v * v, (v, y) => 2f * v);
            CheckUnary("neg", x, x.Neg(), v => -v, (v, y) => -1f);
            CheckUnary("reciprocal", p, p.Reciprocal(), v => 1f / v, (v, y) => -y * y);
            CheckUnary("add_scalar", x, x.AddScalar(0.75f), v => v + 0.75f, (v, y) => 1f);
            CheckUnary("mul_scalar", x, x.MulScalar(-1.5f), v => v * -1.5f, (v, y) => -1.5f);
        }
    }

    private static void CheckUnary(string label, Tensor x, Tensor y, Func<float, float> forward, Func<float, float, float> derivative)
    {
        var input = x.ReadOnlySpan.ToArray();
        var expected = input.Select(forward).ToArray();
        // TensorPrimitives' exp/log/sqrt are within a few ulps of MathF's.
        Close(expected, y.ReadOnlySpan, expected, label + " forward", relative: 1e-6, absolute: 1e-30);
        x.Grad = null;
        var upstream = input.Select((v, i) => 0.5f + i).ToArray();
        y.Backward(Tensor.FromArray(upstream, y.Shape.ToArray()));
        var expectedGrad = input.Select((v, i) => upstream[i] * derivative(v, expected[i])).ToArray();
        Close(expectedGrad, x.Grad!.ReadOnlySpan, expectedGrad, label + " backward", relative: 1e-6, absolute: 1e-30);
    }
}
