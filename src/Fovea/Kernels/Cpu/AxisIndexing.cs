using System.Numerics.Tensors;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// Picking and placing slices along one axis of a tensor seen as (outer, n, inner): slice p of outer
/// block o is the inner-long run starting at (o·n + p)·inner. Narrow, slice, index_select, pad and
/// repeat are all "pick these positions along an axis"; concatenation places blocks side by side.
/// </summary>
internal static class AxisIndexing
{
    /// <summary>
    /// source: (outer, n, inner), output: (outer, indices.Length, inner);
    /// output[o, k, :] = source[o, indices[k], :], or <paramref name="fill"/> where indices[k] &lt; 0.
    /// </summary>
    public static void Select(ReadOnlySpan<float> source, int outer, int n, int inner, ReadOnlySpan<int> indices,
        float fill, Span<float> output)
    {
        int count = indices.Length;
        for (int o = 0; o < outer; o++)
        {
            for (int k = 0; k < count; k++)
            {
                var destination = output.Slice((o * count + k) * inner, inner);
                int p = indices[k];
                if (p < 0) destination.Fill(fill);
                else source.Slice((o * n + p) * inner, inner).CopyTo(destination);
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Select"/>: target[o, indices[k], :] += values[o, k, :], skipping negative
    /// indices (filled positions). values: (outer, indices.Length, inner), target: (outer, n, inner).
    /// </summary>
    public static void ScatterAdd(ReadOnlySpan<float> values, int outer, int n, int inner, ReadOnlySpan<int> indices,
        Span<float> target)
    {
        int count = indices.Length;
        for (int o = 0; o < outer; o++)
        {
            for (int k = 0; k < count; k++)
            {
                int p = indices[k];
                if (p < 0) continue;
                var destination = target.Slice((o * n + p) * inner, inner);
                TensorPrimitives.Add(destination, values.Slice((o * count + k) * inner, inner), destination);
            }
        }
    }

    /// <summary>
    /// Writes source (outer, n, inner) into output (outer, total, inner) at positions offset..offset+n-1
    /// of the middle axis (one piece of a concatenation).
    /// </summary>
    public static void CopyInto(ReadOnlySpan<float> source, int outer, int n, int inner, Span<float> output, int total, int offset)
    {
        int block = n * inner;
        for (int o = 0; o < outer; o++)
            source.Slice(o * block, block).CopyTo(output.Slice((o * total + offset) * inner, block));
    }
}
