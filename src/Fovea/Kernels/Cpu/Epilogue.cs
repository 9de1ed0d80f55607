using System.Numerics.Tensors;

namespace Fovea.Kernels.Cpu;

/// <summary>The pass that finishes a layer's output while it is still in cache: add the bias, apply the activation.</summary>
internal static class Epilogue
{
    /// <summary>target = act(source + bias); source and target may be the same span.</summary>
    public static void BiasActivation(ReadOnlySpan<float> source, Span<float> target, float bias, ConvolutionActivation activation)
    {
        if (bias != 0f) TensorPrimitives.Add(source, bias, target);
        else if (!source.Overlaps(target)) source.CopyTo(target);
        // ReLU as in Activations.ReluForward: max(x, 0), NaN passes through.
        if (activation == ConvolutionActivation.Relu) TensorPrimitives.Max(target, 0f, target);
    }
}
