using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Ops;

public sealed class ArithmeticOpTests : OpCaseTests<ArithmeticOpTests>, IOpCatalogue
{
    public static string Group => "arithmetic";

    private static Tensor[] Positive(int seed, params int[] shape) =>
        [Tensor.Rand(new Shape(shape), new Generator((ulong)seed), 0.5f, 1.5f).RequiresGradient()];

    public static IReadOnlyList<OpCase> Cases { get; } =
    [
        new("add_broadcast", x => x[0] + x[1], [[2, 3, 4], [3, 1]]),
        new("sub_broadcast", x => x[0] - x[1], [[4], [2, 3, 4]]),
        new("mul_broadcast", x => x[0] * x[1], [[2, 1, 5], [3, 1]]),
        new("div", x => x[0] / x[1], null, MakeInputs: s => [GradCheck.RandomInputs(s, [3, 5])[0], Positive(s + 1, 3, 5)[0]]),
        new("exp", x => x[0].Exp(), [[3, 7]]),
        new("log", x => x[0].Log(), null, MakeInputs: s => Positive(s, 3, 7)),
        new("sqrt", x => x[0].Sqrt(), null, MakeInputs: s => Positive(s, 3, 7)),
        new("abs", x => x[0].Abs(), [[3, 7]]),
        new("pow_2_5", x => x[0].Pow(2.5f), null, MakeInputs: s => Positive(s, 9), GoldenRelative: 1e-5f, GoldenAbsolute: 1e-5f),
        new("matmul", x => Tensor.MatMul2d(x[0], x[1]), [[5, 7], [7, 3]]),
        new("matmul_ta_tb", x => Tensor.MatMul2d(x[0], x[1], transposeA: true, transposeB: true), [[7, 5], [3, 7]]),
        new("linear", x => F.Linear(x[0], x[1], x[2]), [[2, 3, 6], [4, 6], [4]]),
        new("sum", x => x[0].Sum(), [[4, 5]]),
        new("mean", x => x[0].Mean(), [[4, 5]]),
    ];

    [Fact]
    public void ElementwiseShapeMismatchNamesBothShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(4, 3));
        Assert.Contains("(2, 3)", error.Message);
        Assert.Contains("(4, 3)", error.Message);
    }

    [Fact]
    public void MatMulInnerDimensionMismatchThrows()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.MatMul2d(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)));
        Assert.Contains("(2, 3)", error.Message);
    }
}
