namespace Fovea.Kernels.Cpu;

/// <summary>
/// torch.gather and its adjoint scatter_add. index and output share one shape; index has the rank of
/// the source and holds, for every position q, the coordinate along <c>axis</c> to read (the other
/// coordinates of q are used as they are, so index may be smaller than the source in every axis).
/// </summary>
internal static class GatherScatter
{
    /// <summary>output[q] = source[q with q[axis] replaced by index[q]] for every q of indexShape.</summary>
    public static void Gather(ReadOnlySpan<float> source, Shape sourceShape, ReadOnlySpan<int> index, Shape indexShape,
        int axis, Span<float> output)
    {
        var strides = sourceShape.Strides();
        int axisStride = strides[axis];
        strides[axis] = 0;
        Span<int> position = stackalloc int[indexShape.Rank];
        int offset = 0;
        for (int flat = 0; flat < index.Length; flat++)
        {
            output[flat] = source[offset + index[flat] * axisStride];
            Advance(position, indexShape, strides, ref offset);
        }
    }

    /// <summary>target[q with q[axis] replaced by index[q]] += values[q] for every q of indexShape.</summary>
    public static void ScatterAdd(ReadOnlySpan<float> values, ReadOnlySpan<int> index, Shape indexShape, int axis,
        Span<float> target, Shape targetShape)
    {
        var strides = targetShape.Strides();
        int axisStride = strides[axis];
        strides[axis] = 0;
        Span<int> position = stackalloc int[indexShape.Rank];
        int offset = 0;
        for (int flat = 0; flat < index.Length; flat++)
        {
            target[offset + index[flat] * axisStride] += values[flat];
            Advance(position, indexShape, strides, ref offset);
        }
    }

    // Odometer step over shape, keeping offset = Σ position[d]·strides[d].
    private static void Advance(Span<int> position, Shape shape, int[] strides, ref int offset)
    {
        for (int axis = shape.Rank - 1; axis >= 0; axis--)
        {
            position[axis]++;
            offset += strides[axis];
            if (position[axis] < shape[axis]) return;
            offset -= strides[axis] * position[axis];
            position[axis] = 0;
        }
    }
}
