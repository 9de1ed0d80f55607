using System.Numerics.Tensors;

namespace Fovea.Kernels.Cpu;

/// <summary>The four arithmetic operators, for kernels that run them on whole rows at once.</summary>
internal enum ArithmeticOperator { Add, Subtract, Multiply, Divide }

/// <summary>
/// Vectorised broadcasting arithmetic and its adjoint (summing a broadcast gradient back to an input's shape).
/// Shapes are first collapsed: adjacent axes that every operand walks contiguously (or every broadcast operand
/// skips) merge into one, so that (N, C, H, W) + (1, C, 1, 1) becomes N·C rows of H·W elements plus one scalar
/// each. Each row is then one TensorPrimitives call (row + row, row + scalar or scalar + row); rows are split
/// over the worker threads when the output is large. Results equal the per-element reference
/// (<see cref="Broadcast.Binary"/>) exactly: each element is the same single IEEE operation.
/// </summary>
internal static class Elementwise
{
    /// <summary>output = a ∘ b with NumPy broadcasting; aStrides/bStrides as from <see cref="Broadcast.StridesIn"/>.</summary>
    public static void Binary(ArithmeticOperator op, ReadOnlyMemory<float> a, int[] aStrides, ReadOnlyMemory<float> b, int[] bStrides,
        Memory<float> output, Shape outShape)
    {
        var layout = CollapsedLayout.Of(outShape.Dims, aStrides, bStrides);
        int length = layout.InnerLength;
        WorkSplit.For(layout.Rows, length, (start, end) =>
        {
            var x = a.Span;
            var y = b.Span;
            var z = output.Span;
            var (strideA, strideB) = (layout.InnerStrideA, layout.InnerStrideB);
            for (int row = start; row < end; row++)
            {
                var (offsetA, offsetB) = layout.RowOffsets(row);
                var target = z.Slice(row * length, length);
                if (strideA != 0 && strideB != 0) Rows(op, x.Slice(offsetA, length), y.Slice(offsetB, length), target);
                else if (strideA != 0) RowScalar(op, x.Slice(offsetA, length), y[offsetB], target);
                else if (strideB != 0) ScalarRow(op, x[offsetA], y.Slice(offsetB, length), target);
                else target.Fill(Apply(op, x[offsetA], y[offsetB]));
            }
        });
    }

    /// <summary>
    /// target = Σ of source over the axes where target (seen through source's shape, <paramref name="targetStrides"/>)
    /// has stride 0. target is overwritten. Rows whose target is kept are added with one vector add per row (the same
    /// order as the reference); rows that reduce to one value are summed with TensorPrimitives.Sum.
    /// </summary>
    public static void SumTo(ReadOnlySpan<float> source, Shape sourceShape, int[] targetStrides, Span<float> target)
    {
        target.Clear();
        var layout = CollapsedLayout.Of(sourceShape.Dims, targetStrides, targetStrides);
        int length = layout.InnerLength;
        for (int row = 0; row < layout.Rows; row++)
        {
            int offset = layout.RowOffsets(row).A;
            var values = source.Slice(row * length, length);
            if (layout.InnerStrideA != 0)
            {
                var sum = target.Slice(offset, length);
                TensorPrimitives.Add(sum, values, sum);
            }
            else target[offset] += TensorPrimitives.Sum(values);
        }
    }

    private static void Rows(ArithmeticOperator op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        switch (op)
        {
            case ArithmeticOperator.Add: TensorPrimitives.Add(x, y, z); break;
            case ArithmeticOperator.Subtract: TensorPrimitives.Subtract(x, y, z); break;
            case ArithmeticOperator.Multiply: TensorPrimitives.Multiply(x, y, z); break;
            default: TensorPrimitives.Divide(x, y, z); break;
        }
    }

    private static void RowScalar(ArithmeticOperator op, ReadOnlySpan<float> x, float y, Span<float> z)
    {
        switch (op)
        {
            case ArithmeticOperator.Add: TensorPrimitives.Add(x, y, z); break;
            case ArithmeticOperator.Subtract: TensorPrimitives.Subtract(x, y, z); break;
            case ArithmeticOperator.Multiply: TensorPrimitives.Multiply(x, y, z); break;
            default: TensorPrimitives.Divide(x, y, z); break;
        }
    }

    private static void ScalarRow(ArithmeticOperator op, float x, ReadOnlySpan<float> y, Span<float> z)
    {
        switch (op)
        {
            case ArithmeticOperator.Add: TensorPrimitives.Add(y, x, z); break;
            case ArithmeticOperator.Subtract: TensorPrimitives.Subtract(x, y, z); break;
            case ArithmeticOperator.Multiply: TensorPrimitives.Multiply(y, x, z); break;
            default: TensorPrimitives.Divide(x, y, z); break;
        }
    }

    public static float Apply(ArithmeticOperator op, float x, float y) => op switch
    {
        ArithmeticOperator.Add => x + y,
        ArithmeticOperator.Subtract => x - y,
        ArithmeticOperator.Multiply => x * y,
        _ => x / y,
    };

    /// <summary>
    /// A contiguous output of shape dims read through two stride sets (0 = broadcast), with its axes merged
    /// as far as possible: rows of <see cref="InnerLength"/> elements, each starting at the offsets <see cref="RowOffsets"/> gives.
    /// </summary>
    private sealed class CollapsedLayout
    {
        private readonly int[] outerDims, outerStridesA, outerStridesB;

        private CollapsedLayout(List<(int Dim, int A, int B)> axes)
        {
            var inner = axes.Count > 0 ? axes[^1] : (Dim: 1, A: 0, B: 0);
            (InnerLength, InnerStrideA, InnerStrideB) = inner;
            var outer = axes.Take(Math.Max(0, axes.Count - 1)).ToArray();
            outerDims = outer.Select(axis => axis.Dim).ToArray();
            outerStridesA = outer.Select(axis => axis.A).ToArray();
            outerStridesB = outer.Select(axis => axis.B).ToArray();
            Rows = 1;
            foreach (int dim in outerDims) Rows *= dim;
        }

        public int Rows { get; }
        public int InnerLength { get; }
        /// <summary>1 when the operand runs along the inner axis, 0 when it is broadcast along it.</summary>
        public int InnerStrideA { get; }
        public int InnerStrideB { get; }

        public static CollapsedLayout Of(ReadOnlySpan<int> dims, int[] stridesA, int[] stridesB)
        {
            var axes = new List<(int Dim, int A, int B)>();
            for (int i = 0; i < dims.Length; i++)
            {
                if (dims[i] == 1) continue; // size-1 axes move nothing
                var axis = (Dim: dims[i], A: stridesA[i], B: stridesB[i]);
                if (axes.Count > 0)
                {
                    var last = axes[^1];
                    // Merge when stepping the outer axis equals stepping the inner one Dim times, for both operands.
                    if (last.A == axis.A * axis.Dim && last.B == axis.B * axis.Dim)
                    {
                        axes[^1] = (last.Dim * axis.Dim, axis.A, axis.B);
                        continue;
                    }
                }
                axes.Add(axis);
            }
            return new CollapsedLayout(axes);
        }

        /// <summary>Where row <paramref name="row"/> (row-major over the outer axes) starts in each operand.</summary>
        public (int A, int B) RowOffsets(int row)
        {
            int a = 0, b = 0;
            for (int axis = outerDims.Length - 1; axis >= 0 && row > 0; axis--)
            {
                int index = row % outerDims[axis];
                row /= outerDims[axis];
                a += index * outerStridesA[axis];
                b += index * outerStridesB[axis];
            }
            return (a, b);
        }
    }
}
