namespace Fovea.Kernels.Cpu;

/// <summary>
/// Copies a strided view of a contiguous source into a contiguous output: for every row-major index q of
/// <c>outShape</c>, output[q] = source[Σ_d q_d · strides[d]]. A stride of 0 repeats a source element along
/// that axis (broadcasting, expand); the source's strides in a permuted order give a transpose (permute).
/// </summary>
internal static class StridedCopy
{
    public static void Copy(ReadOnlySpan<float> source, ReadOnlySpan<int> strides, Span<float> output, Shape outShape)
    {
        if (output.Length == 0) return;
        int rank = outShape.Rank;
        if (rank == 0) { output[0] = source[0]; return; }
        int last = outShape[rank - 1], lastStride = strides[rank - 1];
        int rows = output.Length / last;
        Span<int> index = stackalloc int[rank];
        int offset = 0;
        for (int row = 0; row < rows; row++)
        {
            // One row along the last axis: a block copy, a fill, or a gather.
            var destination = output.Slice(row * last, last);
            if (lastStride == 1) source.Slice(offset, last).CopyTo(destination);
            else if (lastStride == 0) destination.Fill(source[offset]);
            else for (int j = 0, at = offset; j < last; j++, at += lastStride) destination[j] = source[at];

            // Odometer over the other axes: advance the innermost, carry into outer ones.
            for (int axis = rank - 2; axis >= 0; axis--)
            {
                index[axis]++;
                offset += strides[axis];
                if (index[axis] < outShape[axis]) break;
                offset -= strides[axis] * index[axis];
                index[axis] = 0;
            }
        }
    }
}
