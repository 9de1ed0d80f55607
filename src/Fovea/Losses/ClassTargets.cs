namespace Fovea;

/// <summary>
/// Where the classes sit in a classification input: (Outer, Classes, Inner) is the input viewed as
/// (N, C, d1·d2·...), and <see cref="TargetShape"/> the shape of a class-index target, (N, d1, ...), or () for an
/// unbatched input (C).
/// </summary>
internal readonly record struct ClassLayout(int Outer, int Classes, int Inner, Shape TargetShape)
{
    /// <summary>Number of classified positions (N·d1·d2·...).</summary>
    public int Positions => Outer * Inner;

    public static ClassLayout Of(string opName, Tensor input, string inputName)
    {
        ArgumentNullException.ThrowIfNull(input, inputName);
        var shape = input.Shape;
        if (shape.Rank == 0)
            throw new ArgumentException($"{opName}: {inputName} must be (C), (N, C) or (N, C, d1, ...), got a scalar.", inputName);
        if (shape.Rank == 1) return new ClassLayout(1, shape[0], 1, new Shape());
        int inner = 1;
        var targetDims = new int[shape.Rank - 1];
        targetDims[0] = shape[0];
        for (int axis = 2; axis < shape.Rank; axis++)
        {
            inner *= shape[axis];
            targetDims[axis - 1] = shape[axis];
        }
        return new ClassLayout(shape[0], shape[1], inner, new Shape(targetDims));
    }
}

/// <summary>Validation and conversion of class-index targets, shared by CrossEntropy and NllLoss.</summary>
internal static class ClassTargets
{
    /// <summary>Class indices carried in a float tensor (as PyTorch goldens and data loaders hand them over).</summary>
    public static int[] FromTensor(string opName, Tensor target, Tensor input, ClassLayout layout)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Shape != layout.TargetShape)
            throw new ArgumentException($"{opName}: target has shape {target.Shape}, expected {layout.TargetShape} for input of shape {input.Shape} " +
                "(input (N, C, d1, ...) takes class indices of shape (N, d1, ...); input (C) takes a scalar).", nameof(target));
        var values = target.ReadOnlySpan;
        var indices = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float value = values[i];
            if (!(MathF.Round(value) == value) || value < int.MinValue || value > int.MaxValue)
                throw new ArgumentException($"{opName}: target must hold integer class indices, but element {i} is {value}.", nameof(target));
            indices[i] = (int)value;
        }
        return indices;
    }

    /// <summary>Class indices as an array, one per position of <see cref="ClassLayout.TargetShape"/>.</summary>
    public static int[] FromArray(string opName, int[] target, Tensor input, ClassLayout layout)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Length != layout.Positions)
            throw new ArgumentException($"{opName}: {target.Length} targets given, expected {layout.Positions} (one per element of shape {layout.TargetShape}) " +
                $"for input of shape {input.Shape}.", nameof(target));
        return target;
    }

    /// <summary>Every index must be a class (0..C-1) or the ignored index.</summary>
    public static void CheckRange(string opName, int[] targets, ClassLayout layout, int ignoreIndex)
    {
        for (int i = 0; i < targets.Length; i++)
        {
            int index = targets[i];
            if (index != ignoreIndex && (index < 0 || index >= layout.Classes))
                throw new ArgumentOutOfRangeException("target",
                    $"{opName}: target element {i} is class index {index}, out of range for C = {layout.Classes} classes " +
                    $"(valid: 0..{layout.Classes - 1}, or ignoreIndex = {ignoreIndex}).");
        }
    }

    /// <summary>The per-class weight as an array, or null for none; it must be a constant of shape (C).</summary>
    public static float[]? CheckWeight(string opName, Tensor? weight, ClassLayout layout)
    {
        if (weight is null) return null;
        if (weight.Rank != 1 || weight.Shape[0] != layout.Classes)
            throw new ArgumentException($"{opName}: weight has shape {weight.Shape}, expected ({layout.Classes}), one weight per class.", nameof(weight));
        LossSupport.CheckNotDifferentiable(opName, weight, nameof(weight));
        return weight.ToArray();
    }

    /// <summary>
    /// Σ weight[target] over the positions that are not ignored: what PyTorch's 'mean' divides by
    /// (the count of such positions without a weight). Zero when every position is ignored, giving NaN as PyTorch does.
    /// </summary>
    public static float TotalTargetWeight(int[] targets, float[]? weight, int ignoreIndex)
    {
        double total = 0;
        foreach (int index in targets)
            if (index != ignoreIndex) total += weight is null ? 1 : weight[index];
        return (float)total;
    }

    /// <summary>Sum or weighted mean of per-position losses; 'none' keeps them.</summary>
    public static Tensor Reduce(Tensor losses, Reduction reduction, int[] targets, float[]? weight, int ignoreIndex) =>
        reduction == Reduction.Mean
            ? losses.Sum() * (1f / TotalTargetWeight(targets, weight, ignoreIndex))
            : LossSupport.Reduce(losses, reduction);
}
