using Fovea.Nn;
using Fovea.Optim;

namespace Fovea.Tests.Memory;

[Collection(StoragePoolCollection.Name)]
public sealed class TensorScopeTests
{
    private static Shape Large => new([4, 8192]);   // poolable: at least StoragePool.MinimumLength elements

    [Fact]
    public void TensorCreatedInsideIsDisposedAfterTheScope()
    {
        var x = Tensor.Randn(Large, new Generator(1));
        Tensor y;
        using (TensorScope.Begin()) y = x * 2f;
        Assert.Throws<ObjectDisposedException>(() => y.ToArray());
        Assert.Throws<ObjectDisposedException>(() => y.Span.ToArray());
        Assert.Throws<ObjectDisposedException>(() => y + x);
        Assert.Contains("disposed", y.ToString());
        Assert.Equal(x.Size, x.ToArray().Length);   // a tensor from before the scope is untouched
    }

    [Fact]
    public void KeptTensorAndItsViewsSurvive()
    {
        var x = Tensor.Randn(Large, new Generator(1));
        Tensor kept, view;
        float[] expected;
        using (TensorScope.Begin())
        {
            kept = TensorScope.Keep(x * 3f);
            view = kept.Reshape(-1);
            expected = kept.ToArray();
        }
        using (TensorScope.Begin()) _ = x * 5f;     // would reuse kept's storage if it had been recycled
        Assert.Equal(expected, kept.ToArray());
        Assert.Equal(expected, view.ToArray());
    }

    [Fact]
    public void SmallTensorsAreNotPooledButTheirGraphIsFreed()
    {
        var w = Tensor.Randn(new Shape([3]), new Generator(2)).RequiresGradient();
        Tensor loss;
        using (TensorScope.Begin()) loss = (w * w).Sum();
        Assert.Equal(w.ToArray().Sum(v => v * v), loss.Item(), 5);   // small: not recycled, still readable
        Assert.Throws<InvalidOperationException>(() => loss.Backward());
    }

    [Fact]
    public void ParameterGradientsAndModulesBuiltInsideSurvive()
    {
        Linear layer;
        var input = Tensor.Randn(new Shape([64, 512]), new Generator(4));
        using (TensorScope.Begin())
        {
            layer = new Linear(512, 64, generator: new Generator(5));   // weight: 32768 floats, poolable
            layer.Forward(input).Sum().Backward();
        }
        var weight = layer.Weight.ToArray();
        var grad = layer.Weight.Grad!.ToArray();
        using (TensorScope.Begin()) _ = input * 2f;
        Assert.Equal(weight, layer.Weight.ToArray());
        Assert.Equal(grad, layer.Weight.Grad!.ToArray());
        Assert.DoesNotContain(grad, float.IsNaN);
    }

    [Fact]
    public void ScopesMustBeDisposedInnermostFirst()
    {
        var outer = TensorScope.Begin();
        var inner = TensorScope.Begin();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
    }

    [Fact]
    public void InnerScopeRecyclesOnlyItsOwnStorage()
    {
        var x = Tensor.Randn(Large, new Generator(6));
        using var outer = TensorScope.Begin();
        var fromOuter = x * 2f;
        var expected = fromOuter.ToArray();
        Tensor fromInner;
        using (TensorScope.Begin()) fromInner = fromOuter + 1f;
        _ = x * 7f;
        Assert.Equal(expected, fromOuter.ToArray());
        Assert.Throws<ObjectDisposedException>(() => fromInner.ToArray());
    }

    [Fact]
    public void OptimizerStateCreatedInsideSurvives()
    {
        var net = new SmallResidualNet();
        var optimizer = new Sgd(net.Parameters, lr: 0.05f, momentum: 0.9f);
        for (int i = 0; i < 3; i++) net.Step(optimizer, scoped: true);   // the momentum buffers appear in the first scope
        var state = optimizer.StateDict();
        Assert.Contains(state.Keys, key => key.Contains("momentum_buffer"));
        foreach (var tensor in state.Values) Assert.DoesNotContain(tensor.ToArray(), float.IsNaN);   // throws if disposed
    }
}
