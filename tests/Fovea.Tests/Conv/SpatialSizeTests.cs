namespace Fovea.Tests.Conv;

public sealed class SpatialSizeTests
{
    [Fact]
    public void OneValueIsSharedByEveryDimension()
    {
        SpatialSize stride = 2;
        Assert.Equal([2, 2, 2], stride.Expand(3, "stride"));
        Assert.Equal("2", stride.ToString());
    }

    [Fact]
    public void TuplesGiveOneValuePerDimensionOutermostFirst()
    {
        SpatialSize pair = (3, 1);
        SpatialSize triple = (1, 2, 3);
        Assert.Equal([3, 1], pair.Expand(2, "kernel"));
        Assert.Equal([1, 2, 3], triple.Expand(3, "kernel"));
        Assert.Equal("(1, 2, 3)", triple.ToString());
        Assert.Equal(new SpatialSize(3, 1), pair);
        Assert.NotEqual(new SpatialSize(1, 3), pair);
    }

    [Fact]
    public void ExpandChecksCountAndMinimum()
    {
        SpatialSize pair = (3, 1);
        var count = Assert.Throws<ArgumentException>(() => pair.Expand(3, "stride"));
        Assert.Equal("stride", count.ParamName);
        Assert.Contains("(3, 1)", count.Message);
        var minimum = Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialSize(1, 0).Expand(2, "dilation"));
        Assert.Equal("dilation", minimum.ParamName);
        Assert.Equal([0, 0], new SpatialSize(0).Expand(2, "padding", minimum: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialSize(-1).Expand(2, "padding", minimum: 0));
        Assert.Throws<ArgumentException>(() => default(SpatialSize).Expand(2, "stride"));
    }
}
