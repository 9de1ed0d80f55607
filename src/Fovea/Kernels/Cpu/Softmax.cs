using System.Numerics.Tensors;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// The production softmax / log-softmax kernels over (outer, length, inner) along the middle axis, tested against
/// <see cref="Reference"/>. The outer slices are split over the worker threads. With inner = 1 each slice is one
/// contiguous row; otherwise the inner positions are processed side by side, one contiguous inner row per step
/// along the axis, so every operation is a vector operation either way.
/// </summary>
internal static partial class Softmax
{
    public static void Forward(ReadOnlyMemory<float> x, Memory<float> y, int outer, int length, int inner, bool log)
    {
        if (length == 0) return;
        WorkSplit.For(outer, (long)length * inner * 4, (start, end) =>
        {
            var input = x.Span;
            var output = y.Span;
            if (inner == 1)
            {
                Reference.Forward(input.Slice(start * length, (end - start) * length), output.Slice(start * length, (end - start) * length),
                    end - start, length, 1, log);
                return;
            }
            int slice = length * inner;
            var (max, sum) = (new float[inner], new float[inner]);
            for (int o = start; o < end; o++)
            {
                var source = input.Slice(o * slice, slice);
                var target = output.Slice(o * slice, slice);
                source[..inner].CopyTo(max);
                for (int a = 1; a < length; a++) TensorPrimitives.Max(max, source.Slice(a * inner, inner), max);
                Array.Clear(sum);
                for (int a = 0; a < length; a++)
                {
                    var row = target.Slice(a * inner, inner);
                    TensorPrimitives.Subtract(source.Slice(a * inner, inner), max, row);
                    TensorPrimitives.Exp(row, row);
                    TensorPrimitives.Add(sum, row, sum);
                }
                if (log)
                {
                    // (x − max) − log Σ, in that order, as the reference.
                    TensorPrimitives.Log(sum, sum);
                    for (int a = 0; a < length; a++)
                    {
                        var row = target.Slice(a * inner, inner);
                        TensorPrimitives.Subtract(source.Slice(a * inner, inner), max, row);
                        TensorPrimitives.Subtract(row, sum, row);
                    }
                }
                else
                    for (int a = 0; a < length; a++)
                    {
                        var row = target.Slice(a * inner, inner);
                        TensorPrimitives.Divide(row, sum, row);
                    }
            }
        });
    }

    /// <summary>From the output y: softmax gradInput = y ⊙ (g − Σ g·y); log-softmax gradInput = g − e^y · Σ g.</summary>
    public static void Backward(ReadOnlyMemory<float> y, ReadOnlyMemory<float> gradOutput, Memory<float> gradInput, int outer, int length, int inner, bool log)
    {
        if (length == 0) return;
        WorkSplit.For(outer, (long)length * inner * 3, (start, end) =>
        {
            var output = y.Span;
            var upstream = gradOutput.Span;
            var target = gradInput.Span;
            if (inner == 1)
            {
                for (int o = start; o < end; o++)
                {
                    var row = output.Slice(o * length, length);
                    var g = upstream.Slice(o * length, length);
                    var d = target.Slice(o * length, length);
                    float sum = log ? TensorPrimitives.Sum(g) : TensorPrimitives.Dot(g, row);
                    Combine(row, g, d, sum, log);
                }
                return;
            }
            int slice = length * inner;
            var total = new float[inner];
            for (int o = start; o < end; o++)
            {
                Array.Clear(total);
                for (int a = 0; a < length; a++)
                {
                    var g = upstream.Slice(o * slice + a * inner, inner);
                    if (log) TensorPrimitives.Add(total, g, total);
                    else TensorPrimitives.MultiplyAdd(g, output.Slice(o * slice + a * inner, inner), total, total);
                }
                for (int a = 0; a < length; a++)
                {
                    int at = o * slice + a * inner;
                    var d = target.Slice(at, inner);
                    if (log)
                    {
                        // g − e^y·Σg
                        TensorPrimitives.Exp(output.Slice(at, inner), d);
                        TensorPrimitives.Multiply(d, total, d);
                        TensorPrimitives.Subtract(upstream.Slice(at, inner), d, d);
                    }
                    else
                    {
                        // y·(g − Σ g·y)
                        TensorPrimitives.Subtract(upstream.Slice(at, inner), total, d);
                        TensorPrimitives.Multiply(d, output.Slice(at, inner), d);
                    }
                }
            }
        });
    }

    /// <summary>One contiguous slice: log-softmax d = g − e^y·sum, softmax d = y·(g − sum).</summary>
    private static void Combine(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> d, float sum, bool log)
    {
        if (log)
        {
            TensorPrimitives.Exp(y, d);
            TensorPrimitives.Multiply(d, sum, d);
            TensorPrimitives.Subtract(g, d, d);
        }
        else
        {
            TensorPrimitives.Subtract(g, sum, d);
            TensorPrimitives.Multiply(d, y, d);
        }
    }
}
