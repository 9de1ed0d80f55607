namespace Fovea;

/// <summary>How a loss combines its per-element values (PyTorch's reduction = 'mean' | 'sum' | 'none').</summary>
public enum Reduction
{
    /// <summary>The average (for class-weighted losses: the weighted average). The default.</summary>
    Mean,
    /// <summary>The sum.</summary>
    Sum,
    /// <summary>No reduction: one loss value per element (or per sample).</summary>
    None,
}

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
