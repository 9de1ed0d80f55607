using Fovea.Nn;

namespace Fovea.Tests.Nn;

/// <summary>Helpers of the layer-fusion tests (convolution → batch norm → [+ residual] → [ReLU]).</summary>
internal static class FusionTestSupport
{
    /// <summary>
    /// Random running statistics and affine parameters in every batch norm (so that none is the identity), and random
    /// convolution biases where there are some.
    /// </summary>
    public static T WithRandomStatistics<T>(T module, ulong seed) where T : Module
    {
        var generator = new Generator(seed);
        foreach (var norm in module.NamedModules().Select(m => m.Module).OfType<BatchNormBase>())
        {
            if (norm.RunningMean is not null) Init.Uniform(norm.RunningMean, -0.3f, 0.3f, generator);
            if (norm.RunningVar is not null) Init.Uniform(norm.RunningVar, 0.5f, 1.5f, generator);
            if (norm.Weight is not null) Init.Uniform(norm.Weight, 0.5f, 1.5f, generator);
            if (norm.Bias is not null) Init.Uniform(norm.Bias, -0.3f, 0.3f, generator);
        }
        foreach (var convolution in module.NamedModules().Select(m => m.Module).OfType<ConvNd>())
            if (convolution.Bias is not null) Init.Uniform(convolution.Bias, -0.3f, 0.3f, generator);
        return module;
    }

    /// <summary>
    /// Registers a no-op forward hook on every convolution, batch norm and ReLU module of <paramref name="module"/>: every
    /// fusion (<see cref="LayerFusion"/>, <see cref="Sequential"/>) involves a convolution or a batch norm and only fuses
    /// modules without hooks, so until the handle is disposed the model runs module by module (the unfused reference).
    /// </summary>
    public static IDisposable Unfused(Module module)
    {
        var handles = module.NamedModules().Select(m => m.Module).Where(m => m is ConvNd or BatchNormBase or ReLU)
            .Select(layer => layer.RegisterForwardHook((_, _, _) => { })).ToList();
        return new Handles(handles);
    }

    private sealed class Handles(List<IDisposable> handles) : IDisposable
    {
        public void Dispose() { foreach (var handle in handles) handle.Dispose(); }
    }

    /// <summary>model(input) in eval mode under NoGrad: fused, then unfused (<see cref="Unfused"/>).</summary>
    public static (Tensor Fused, Tensor Unfused) EvalBothWays(Module model, Tensor input)
    {
        model.Eval();
        using var noGrad = Autograd.NoGrad();
        var fused = model.Forward(input);
        using (Unfused(model))
            return (fused, model.Forward(input));
    }

    /// <summary>
    /// Fused against unfused: |fused − unfused| ≤ relative·|unfused| + 1e-6·max|unfused| elementwise (the absolute term
    /// scales with the output, so that a model with tiny logits is held as tightly as one with large ones). The fused op
    /// folds the batch norm into a scale and shift computed in double (the unfused one rounds γ·invStd and
    /// β − mean·scale in float) and adds the convolution bias after scaling, so single outputs differ by a few float
    /// roundings; deep models carry the differences through many layers (callers pass a looser relative bound there and
    /// say why).
    /// </summary>
    public static void AssertClose(Tensor unfused, Tensor fused, string label, float relative = 1e-5f)
    {
        float scale = unfused.ToArray().Max(MathF.Abs);
        Assert.True(scale > 0f, $"{label}: the unfused output is all zeros, nothing to compare");
        Infrastructure.TensorAssert.Close(unfused, fused, relative, 1e-6f * scale, "fusion " + label);
    }

    /// <summary>Bit-identical outputs (NaN equal to NaN): what a chain that must not fuse gives against the modules run one by one.</summary>
    public static void AssertIdentical(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.ToArray().Select(BitConverter.SingleToInt32Bits), actual.ToArray().Select(BitConverter.SingleToInt32Bits));
    }
}
