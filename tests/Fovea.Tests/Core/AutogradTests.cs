namespace Fovea.Tests.Core;

public sealed class AutogradTests
{
    [Fact]
    public void GradientsAccumulateAcrossBackwardCalls()
    {
        var x = Tensor.FromArray([1f, 2f, 3f]).RequiresGradient();
        (x * x).Sum().Backward();
        (x * x).Sum().Backward();
        Assert.Equal([4f, 8f, 12f], x.Grad!.ToArray());
    }

    [Fact]
    public void SharedSubexpressionGetsBothContributions()
    {
        var x = Tensor.FromArray([2f]).RequiresGradient();
        var y = x * 3f;
        var z = y * y + y;          // dz/dx = (2y + 1)·3 = 39
        z.Sum().Backward();
        Assert.Equal(39f, x.Grad!.Item());
    }

    [Fact]
    public void SameTensorOnBothSidesOfAnAdd()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGradient();
        var y = x + x;
        (y + x).Sum().Backward();
        Assert.Equal([3f, 3f], x.Grad!.ToArray());
    }

    [Fact]
    public void BackwardTwiceWithoutRetainGraphThrows()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGradient();
        var loss = (x * x).Sum();
        loss.Backward();
        var error = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("second time", error.Message);
    }

    [Fact]
    public void BackwardTwiceWithRetainGraphAccumulates()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGradient();
        var loss = (x * x).Sum();
        loss.Backward(retainGraph: true);
        loss.Backward();
        Assert.Equal([4f, 8f], x.Grad!.ToArray());
    }

    [Fact]
    public void NonScalarBackwardNeedsAGradient()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGradient();
        var error = Assert.Throws<InvalidOperationException>(() => (x * 2f).Backward());
        Assert.Contains("(2)", error.Message);
        (x * 2f).Backward(Tensor.FromArray([1f, 10f]));
        Assert.Equal([2f, 20f], x.Grad!.ToArray());
    }

    [Fact]
    public void GradientOfWrongShapeIsRejected()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGradient();
        Assert.Throws<ArgumentException>(() => (x * 2f).Backward(Tensor.Zeros(3)));
    }

    [Fact]
    public void NoGradScopeRecordsNothing()
    {
        var x = Tensor.FromArray([1f]).RequiresGradient();
        Tensor y;
        using (Autograd.NoGrad()) y = x * 2f;
        Assert.False(y.RequiresGrad);
        Assert.True(Autograd.IsEnabled);
        Assert.True((x * 2f).RequiresGrad);
    }

    [Fact]
    public void EnableGradRecordsInsideNoGradAndRestoresIt()
    {
        var x = Tensor.FromArray([1f]).RequiresGradient();
        using (Autograd.NoGrad())
        using (Autograd.NoGrad())
        {
            using (Autograd.EnableGrad())
            {
                Assert.True(Autograd.IsEnabled);
                Assert.True((x * 2f).RequiresGrad);
                using (Autograd.NoGrad()) Assert.False((x * 2f).RequiresGrad);
                Assert.True(Autograd.IsEnabled);
            }
            Assert.False(Autograd.IsEnabled);
            Assert.False((x * 2f).RequiresGrad);
        }
        Assert.True(Autograd.IsEnabled);
    }

    [Fact]
    public void DetachCutsTheGraphButSharesStorage()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGradient();
        var d = x.Detach();
        Assert.False(d.RequiresGrad);
        d.Span[0] = 5f;
        Assert.Equal(5f, x[0]);
    }

    [Fact]
    public void ReshapeIsAViewAndPassesGradients()
    {
        var x = Tensor.Arange(6).RequiresGradient();
        var y = x.Reshape(2, -1);
        Assert.Equal(new Shape(2, 3), y.Shape);
        (y * y).Sum().Backward();
        Assert.Equal([0f, 2f, 4f, 6f, 8f, 10f], x.Grad!.ToArray());
        Assert.Throws<ArgumentException>(() => x.Reshape(4, -1));
    }

    [Fact]
    public void RetainGradKeepsAnIntermediateGradient()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGradient();
        var y = (x * 3f).RetainGrad();
        (y * y).Sum().Backward();
        Assert.Equal([6f, 12f], y.Grad!.ToArray());
    }

    [Fact]
    public void DeepChainDoesNotOverflowTheStack()
    {
        var x = Tensor.FromArray([1f]).RequiresGradient();
        var y = x;
        for (int i = 0; i < 100_000; i++) y = y + 0f;
        y.Sum().Backward();
        Assert.Equal(1f, x.Grad!.Item());
    }
}
