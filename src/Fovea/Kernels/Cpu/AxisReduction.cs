namespace Fovea.Kernels.Cpu;

/// <summary>
/// Reductions along one axis of a tensor seen as (outer, n, inner): element (o, p, i) lies at
/// (o·n + p)·inner + i, and the reduced output (outer, inner) at o·inner + i.
/// </summary>
internal static class AxisReduction
{
    /// <summary>output[o, i] = Σ_p x[o, p, i], accumulated in double so the order of the terms hardly matters.</summary>
    public static void Sum(ReadOnlySpan<float> x, int outer, int n, int inner, Span<float> output)
    {
        // Walk the input in order (p outer, i inner) over blocks of i, so reads stay contiguous even when
        // inner is large; a small stack buffer holds the double accumulators of one block.
        const int block = 64;
        Span<double> totals = stackalloc double[block];
        for (int o = 0; o < outer; o++)
        {
            for (int i0 = 0; i0 < inner; i0 += block)
            {
                int width = Math.Min(block, inner - i0);
                var acc = totals[..width];
                acc.Clear();
                for (int p = 0; p < n; p++)
                {
                    var row = x.Slice((o * n + p) * inner + i0, width);
                    for (int i = 0; i < width; i++) acc[i] += row[i];
                }
                var destination = output.Slice(o * inner + i0, width);
                for (int i = 0; i < width; i++) destination[i] = (float)acc[i];
            }
        }
    }

    /// <summary>
    /// values[o, i] = max (or min) over p of x[o, p, i]; indices[o, i] = the first p that reaches it.
    /// A NaN wins over every number (it propagates, as in PyTorch). n must be at least 1.
    /// </summary>
    public static void ArgExtreme(ReadOnlySpan<float> x, int outer, int n, int inner, bool findMax,
        Span<float> values, Span<int> indices)
    {
        for (int o = 0; o < outer; o++)
        {
            int start = o * n * inner;
            for (int i = 0; i < inner; i++)
            {
                float best = x[start + i];
                int bestIndex = 0;
                for (int p = 1, at = start + inner + i; p < n && !float.IsNaN(best); p++, at += inner)
                {
                    float v = x[at];
                    // Strict comparison keeps the first position on ties.
                    if (float.IsNaN(v) || (findMax ? v > best : v < best))
                    {
                        best = v;
                        bestIndex = p;
                    }
                }
                values[o * inner + i] = best;
                indices[o * inner + i] = bestIndex;
            }
        }
    }
}
