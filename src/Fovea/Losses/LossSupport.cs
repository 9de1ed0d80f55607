namespace Fovea;

/// <summary>Helpers shared by every loss: reduction and argument checks.</summary>
internal static class LossSupport
{
    /// <summary>Applies <paramref name="reduction"/> to per-element losses (recorded, so gradients flow back).</summary>
    public static Tensor Reduce(Tensor losses, Reduction reduction) => reduction switch
    {
        Reduction.None => losses,
        Reduction.Sum => losses.Sum(),
        // The mean of nothing is NaN in PyTorch; Tensor.Mean() would throw instead.
        Reduction.Mean => losses.Size == 0 ? losses.Sum() * float.NaN : losses.Mean(),
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), $"Unknown reduction {reduction}."),
    };

    public static void CheckLabelSmoothing(string opName, float labelSmoothing)
    {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"{opName}: labelSmoothing must be between 0.0 and 1.0, got {labelSmoothing}.");
    }

    public static void CheckBeta(string opName, float beta)
    {
        if (!(beta >= 0f)) throw new ArgumentOutOfRangeException(nameof(beta), $"{opName}: beta must be >= 0, got {beta}.");
    }

    /// <summary>The order p of a p-norm distance: &gt; 0, or +infinity.</summary>
    public static void CheckNormOrder(string opName, float p)
    {
        if (!(p > 0f)) throw new ArgumentOutOfRangeException(nameof(p), $"{opName}: p must be > 0 (or +infinity), got {p}.");
    }

    /// <summary>Throws unless <paramref name="target"/> has exactly the shape of <paramref name="input"/>.</summary>
    public static void CheckSameShape(string opName, Tensor input, Tensor target, string targetName = "target")
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target, targetName);
        if (input.Shape != target.Shape)
            throw new ArgumentException($"{opName}: {targetName} has shape {target.Shape}, expected the input's shape {input.Shape}. " +
                "Reshape one of them (PyTorch would broadcast with a warning; mismatched sizes are almost always a bug).", targetName);
    }

    /// <summary>
    /// Class weights and positive weights are constants in PyTorch: asking for their gradient is an error there,
    /// so it is one here too rather than a silently missing gradient.
    /// </summary>
    public static void CheckNotDifferentiable(string opName, Tensor? tensor, string argumentName)
    {
        if (tensor is not null && tensor.RequiresGrad && Autograd.IsEnabled)
            throw new ArgumentException($"{opName} is not differentiable with respect to {argumentName}; pass {argumentName}.Detach().", argumentName);
    }

    /// <summary>Weight/posWeight must broadcast to the input's shape without enlarging it; returns it expanded to that shape.</summary>
    public static float[] ExpandTo(string opName, Tensor tensor, Shape shape, string argumentName)
    {
        var result = Kernels.Cpu.Broadcast.ResultShape(tensor.Shape, shape, opName);
        if (result != shape)
            throw new ArgumentException($"{opName}: {argumentName} of shape {tensor.Shape} does not broadcast to the input's shape {shape}.", argumentName);
        var expanded = Tensor.NewStorage(shape.Size);
        var strides = Kernels.Cpu.Broadcast.StridesIn(tensor.Shape, shape);
        Kernels.Cpu.Broadcast.Binary(tensor.Data, strides, tensor.Data, strides, expanded, shape, static (value, _) => value);
        return expanded;
    }
}
