using Fovea.Optim;

namespace Fovea.Tests.Memory;

/// <summary>
/// The backward pass recycles the gradient buffers it creates, TensorScope recycles a step's storage and
/// ZeroGrad recycles gradients nobody read: none of it may change a single number. Every comparison runs
/// the same training with the pool off (no reuse at all) and on with poisoning (a recycled array is filled
/// with NaN), so a buffer recycled while still in use shows up as NaN or as a different value.
/// </summary>
[Collection(StoragePoolCollection.Name)]
public sealed class GradientRecyclingTests
{
    private static T WithPool<T>(bool enabled, Func<T> body)
    {
        bool saved = StoragePool.Enabled;
        StoragePool.Enabled = enabled;
        StoragePool.PoisonReturned = enabled;
        try { return body(); }
        finally
        {
            StoragePool.PoisonReturned = false;
            StoragePool.Enabled = saved;
        }
    }

    private static void AssertSameHistory(List<(float Loss, float[][] Grads)> expected, List<(float Loss, float[][] Grads)> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int step = 0; step < expected.Count; step++)
        {
            Assert.Equal(expected[step].Loss, actual[step].Loss);
            for (int p = 0; p < expected[step].Grads.Length; p++)
                Assert.Equal(expected[step].Grads[p], actual[step].Grads[p]);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrainingGivesIdenticalGradientsWithRecyclingOnAndOff(bool scoped)
    {
        var reference = WithPool(false, () => new SmallResidualNet().Train(4, scoped: false));
        var recycled = WithPool(true, () => new SmallResidualNet().Train(4, scoped));
        Assert.All(recycled, step => Assert.All(step.Grads, g => Assert.DoesNotContain(g, float.IsNaN)));
        AssertSameHistory(reference, recycled);
    }

    [Fact]
    public void ZeroGradRecyclingDoesNotChangeTraining()
    {
        // Steps that never read Grad let ZeroGrad recycle the gradients; the weights must come out the same.
        float[][] Run(bool pool) => WithPool(pool, () =>
        {
            var net = new SmallResidualNet();
            var optimizer = new Sgd(net.Parameters, lr: 0.05f, momentum: 0.9f);
            for (int i = 0; i < 4; i++) net.Step(optimizer, scoped: pool);
            return net.Parameters.Select(p => p.ToArray()).ToArray();
        });
        var expected = Run(false);
        var actual = Run(true);
        for (int p = 0; p < expected.Length; p++) Assert.Equal(expected[p], actual[p]);
    }

    [Fact]
    public void GradientReadByTheCallerSurvivesZeroGrad()
    {
        WithPool(true, () =>
        {
            var net = new SmallResidualNet();
            var optimizer = new Sgd(net.Parameters, lr: 0.05f);
            net.Loss(net.Input).Backward();
            var held = net.Parameters[4].Grad!;        // the classifier's gradient, 10·4096 floats: poolable
            var copy = held.ToArray();
            optimizer.ZeroGrad();
            Assert.Null(net.Parameters[4].Grad);
            net.Loss(net.Input).Backward();            // would reuse the buffer if ZeroGrad had recycled it
            Assert.Equal(copy, held.ToArray());
            return 0;
        });
    }

    [Fact]
    public void RetainedGraphBackwardTwiceAccumulatesTheSameAsWithoutThePool()
    {
        float[][] Run(bool pool) => WithPool(pool, () =>
        {
            var net = new SmallResidualNet();
            var loss = net.Loss(net.Input);
            loss.Backward(retainGraph: true);
            loss.Backward();
            return net.Parameters.Select(p => p.Grad!.ToArray()).ToArray();
        });
        var expected = Run(false);
        var actual = Run(true);
        for (int p = 0; p < expected.Length; p++) Assert.Equal(expected[p], actual[p]);
    }

    [Fact]
    public void RetainGradOnAnIntermediateKeepsItsValuesAfterBackward()
    {
        WithPool(true, () =>
        {
            var x = Tensor.Randn(new Shape([4, 8192]), new Generator(3)).RequiresGradient();
            var y = x * 2f;
            y.RetainGrad();
            var z = (y * y).Sum();
            z.Backward();
            var expected = y.ToArray().Select(v => 2f * v).ToArray();   // dz/dy = 2y
            Assert.Equal(expected, y.Grad!.ToArray());
            Assert.Equal(expected.Select(v => 2f * v).ToArray(), x.Grad!.ToArray()); // dz/dx = 2·dz/dy
            return 0;
        });
    }

    [Fact]
    public void BackwardFreesTheGraphSoASecondBackwardStillThrows()
    {
        var x = Tensor.Randn(new Shape([4, 8192]), new Generator(3)).RequiresGradient();
        var loss = (x * x).Sum();
        loss.Backward();
        var error = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("second time", error.Message);
    }
}

/// <summary>Max pooling keeps its argmax indices in a pooled array that the graph gives back when it is freed.</summary>
public sealed class PooledSavedBufferTests
{
    [Fact]
    public void MaxPoolIndicesSurviveUntilTheLastRetainedBackward()
    {
        var generator = new Generator(9);
        var x = Tensor.Randn(new Shape([2, 8, 32, 32]), generator).RequiresGradient();
        var y = F.MaxPool2d(x, 2, 2);
        y.Sum().Backward(retainGraph: true);
        var first = x.Grad!.ToArray();
        x.Grad = null;
        // Another pooling of the same size in between: it would get the indices' array if the first graph had given it back.
        var other = Tensor.Randn(new Shape([2, 8, 32, 32]), generator).RequiresGradient();
        F.MaxPool2d(other, 2, 2).Sum().Backward();
        var third = F.MaxPool2d(other * -1f, 2, 2);   // recorded, not backwarded: holds a pooled array too
        y.Sum().Backward();
        Assert.Equal(first, x.Grad!.ToArray());
        Assert.True(third.RequiresGrad);
    }
}
