namespace Fovea.Kernels.Cpu;

/// <summary>NumPy broadcasting rules: shapes aligned on the right, sizes equal or 1.</summary>
internal static class Broadcast
{
    /// <summary>The broadcast shape of a and b, or an ArgumentException naming both shapes.</summary>
    public static Shape ResultShape(Shape a, Shape b, string opName)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{opName}: shapes {a} and {b} cannot be broadcast together (dimension {i}: {da} vs {db}).");
            dims[i] = da == 1 ? db : da;
        }
        return new Shape(dims);
    }

    /// <summary>Strides of <paramref name="source"/> seen through <paramref name="target"/>: 0 where broadcast.</summary>
    public static int[] StridesIn(Shape source, Shape target)
    {
        var strides = new int[target.Rank];
        var own = source.Strides();
        int offset = target.Rank - source.Rank;
        for (int i = 0; i < source.Rank; i++)
            strides[i + offset] = source[i] == 1 ? 0 : own[i];
        return strides;
    }

    /// <summary>out[i] = op(a[ia], b[ib]) over the broadcast index space. Reference kernel.</summary>
    public static void Binary(ReadOnlySpan<float> a, int[] aStrides, ReadOnlySpan<float> b, int[] bStrides,
        Span<float> output, Shape outShape, Func<float, float, float> op)
    {
        int rank = outShape.Rank;
        var index = new int[rank];
        int ia = 0, ib = 0;
        for (int flat = 0; flat < output.Length; flat++)
        {
            output[flat] = op(a[ia], b[ib]);
            // Odometer increment: advance the last axis, carry into earlier ones.
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                index[axis]++;
                ia += aStrides[axis];
                ib += bStrides[axis];
                if (index[axis] < outShape[axis]) break;
                ia -= aStrides[axis] * index[axis];
                ib -= bStrides[axis] * index[axis];
                index[axis] = 0;
            }
        }
    }

    /// <summary>
    /// target = source summed over the axes where <paramref name="targetStrides"/> (the target seen through source's
    /// shape, from <see cref="StridesIn"/>) is 0: the adjoint of broadcasting. Reference kernel: every source element
    /// is added to its target position in flat order. target is overwritten.
    /// </summary>
    public static void SumTo(ReadOnlySpan<float> source, Shape sourceShape, int[] targetStrides, Span<float> target)
    {
        target.Clear();
        int rank = sourceShape.Rank;
        var index = new int[rank];
        int position = 0;
        for (int flat = 0; flat < source.Length; flat++)
        {
            target[position] += source[flat];
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                index[axis]++;
                position += targetStrides[axis];
                if (index[axis] < sourceShape[axis]) break;
                position -= targetStrides[axis] * index[axis];
                index[axis] = 0;
            }
        }
    }
}
