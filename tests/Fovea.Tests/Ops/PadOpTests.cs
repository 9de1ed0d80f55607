using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Ops;

/// <summary>Pad in constant, reflect and replicate modes (tools/golden/tensor_ops.py).</summary>
public sealed class PadOpTests : OpCaseTests<PadOpTests>, IOpCatalogue
{
    public static string Group => "tensor_ops";

    public static IReadOnlyList<OpCase> Cases { get; } =
    [
        new("pad_constant_last", x => x[0].Pad([1, 2]), [[2, 3, 4]]),
        new("pad_constant_2d_value", x => x[0].Pad([1, 0, 2, 1], 0.5f), [[1, 2, 3, 4]]),
        new("pad_constant_negative", x => x[0].Pad([-1, 2, 1, -1]), [[2, 3, 4]]),
        new("pad_constant_3dims", x => F.Pad(x[0], [1, 1, 0, 2, 1, 0]), [[2, 3, 4]]),
        new("pad_reflect_1d", x => x[0].Pad([2, 3], PadMode.Reflect), [[2, 3, 5]]),
        new("pad_reflect_2d", x => F.Pad(x[0], [1, 2, 3, 1], PadMode.Reflect), [[1, 2, 4, 5]]),
        new("pad_replicate_1d", x => x[0].Pad([3, 1], PadMode.Replicate), [[2, 2, 4]]),
        new("pad_replicate_2d", x => x[0].Pad([2, 1, 1, 3], PadMode.Replicate), [[1, 2, 3, 4]]),
        new("pad_replicate_3d", x => x[0].Pad([1, 1, 1, 0, 0, 2], PadMode.Replicate), [[1, 1, 2, 3, 3]]),
    ];

    [Fact]
    public void ModesFillTheBorderAsDocumented()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f]);
        Assert.Equal([3f, 2f, 1f, 2f, 3f, 4f, 3f, 2f], x.Pad([2, 2], PadMode.Reflect).ToArray());
        Assert.Equal([1f, 1f, 1f, 2f, 3f, 4f, 4f, 4f], x.Pad([2, 2], PadMode.Replicate).ToArray());
        Assert.Equal([9f, 1f, 2f, 3f, 4f, 9f, 9f], x.Pad([1, 2], 9f).ToArray());
        Assert.Equal([2f, 3f], x.Pad([-1, -1]).ToArray());
    }

    [Fact]
    public void BadPaddingThrows()
    {
        var x = Tensor.Zeros(2, 3);
        Assert.Throws<ArgumentException>(() => x.Pad([1]));
        Assert.Throws<ArgumentException>(() => x.Pad([1, 1, 1, 1, 1, 1]));
        Assert.Contains("(2, 3)", Assert.Throws<ArgumentException>(() => x.Pad([3, 0], PadMode.Reflect)).Message);
        Assert.Throws<ArgumentException>(() => x.Pad([-2, -2]));
        Assert.Throws<ArgumentException>(() => x.Pad([1, 1], PadMode.Reflect, 1f));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 0).Pad([1, 1], PadMode.Replicate));
    }
}
