using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fovea.Kernels.Cpu;

internal static partial class Convolution
{
    internal static partial class Winograd
    {
        /// <summary>
        /// Per-task scratch of the transforms: one zero-padded input row, the even and odd columns of the padded input
        /// rows of a band of tiles (so that patch column c of tile tx is a contiguous load: even[tx], odd[tx], even[tx + 1],
        /// odd[tx + 1]), and the four output values of a row of tiles.
        /// </summary>
        private readonly ref struct Scratch
        {
            public Scratch(Span<float> memory, int bandRows, int tileColumns)
            {
                int paddedRow = 2 * tileColumns + 2, rows = 2 * bandRows + 2, half = tileColumns + 1;
                PaddedRow = memory[..paddedRow];
                Even = memory.Slice(paddedRow, rows * half);
                Odd = memory.Slice(paddedRow + rows * half, rows * half);
                Outputs = memory.Slice(paddedRow + 2 * rows * half, 4 * tileColumns);
                Half = half;
            }

            public static int Size(int bandRows, int tileColumns) =>
                2 * tileColumns + 2 + 2 * (2 * bandRows + 2) * (tileColumns + 1) + 4 * tileColumns;

            public Span<float> PaddedRow { get; }
            public Span<float> Even { get; }
            public Span<float> Odd { get; }
            public Span<float> Outputs { get; }
            /// <summary>Length of an even (or odd) row: tile columns + 1.</summary>
            public int Half { get; }
        }

        /// <summary>
        /// V[ξ·stride + offset + (ty − firstRow)·tW + tx] = (Bᵀ·d·B)[ξ] for the 4x4 patch d of every tile (ty, tx) of tile rows
        /// [firstRow, endRow) of one input channel plane (H × W). Patch row r of tile row ty is input row 2ty + r − padding.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void TransformInputs(in ConvolutionGeometry g, ReadOnlySpan<float> plane, int firstRow, int endRow,
            Span<float> transformed, int stride, int offset, in Scratch scratch)
        {
            Span<float> s = stackalloc float[16];
            int width = g.Input.Width, height = g.Input.Height, tileColumns = (g.Output.Width + 1) / 2, half = scratch.Half;
            int paddingTop = g.PaddingStart.Height, paddingLeft = g.PaddingStart.Width;
            var padded = scratch.PaddedRow;
            int rows = 2 * (endRow - firstRow) + 2;
            for (int r = 0; r < rows; r++)
            {
                int ih = 2 * firstRow + r - paddingTop;
                padded.Clear();
                if ((uint)ih < (uint)height)
                {
                    int count = Math.Min(width, padded.Length - paddingLeft);
                    if (count > 0) plane.Slice(ih * width, count).CopyTo(padded[paddingLeft..]);
                }
                Deinterleave.Split(padded, scratch.Even.Slice(r * half, half), scratch.Odd.Slice(r * half, half));
            }
            ref float even = ref MemoryMarshal.GetReference(scratch.Even);
            ref float odd = ref MemoryMarshal.GetReference(scratch.Odd);
            ref float target = ref MemoryMarshal.GetReference(transformed);
            int lanes = Vector<float>.Count;
            for (int ty = firstRow; ty < endRow; ty++)
            {
                int rowBase = 2 * (ty - firstRow) * half, outputBase = offset + (ty - firstRow) * tileColumns;
                if (Vector.IsHardwareAccelerated && tileColumns >= lanes)
                {
                    // Vectors along the tiles; the last one is flush with the row's end (overlapping tiles get the same values).
                    for (int next = 0; next < tileColumns; next += lanes)
                    {
                        int tx = Math.Min(next, tileColumns - lanes);
                        // (d·B)[r] for the four patch rows: columns [d0 − d2, d1 + d2, d2 − d1, d1 − d3]
                        var (t00, t01, t02, t03) = RowTransform(ref even, ref odd, rowBase + tx);
                        var (t10, t11, t12, t13) = RowTransform(ref even, ref odd, rowBase + half + tx);
                        var (t20, t21, t22, t23) = RowTransform(ref even, ref odd, rowBase + 2 * half + tx);
                        var (t30, t31, t32, t33) = RowTransform(ref even, ref odd, rowBase + 3 * half + tx);
                        // Bᵀ·(d·B): rows [t0 − t2, t1 + t2, t2 − t1, t1 − t3], stored at ξ = 4·row + column
                        ref float at = ref Unsafe.Add(ref target, outputBase + tx);
                        Store(ref at, stride, 0, t00 - t20, t01 - t21, t02 - t22, t03 - t23);
                        Store(ref at, stride, 4, t10 + t20, t11 + t21, t12 + t22, t13 + t23);
                        Store(ref at, stride, 8, t20 - t10, t21 - t11, t22 - t12, t23 - t13);
                        Store(ref at, stride, 12, t10 - t30, t11 - t31, t12 - t32, t13 - t33);
                    }
                    continue;
                }
                for (int tx = 0; tx < tileColumns; tx++)
                {
                    for (int r = 0; r < 4; r++)
                    {
                        int at = rowBase + r * half + tx;
                        float e0 = Unsafe.Add(ref even, at), o0 = Unsafe.Add(ref odd, at), e1 = Unsafe.Add(ref even, at + 1), o1 = Unsafe.Add(ref odd, at + 1);
                        s[4 * r] = e0 - e1;
                        s[4 * r + 1] = o0 + e1;
                        s[4 * r + 2] = e1 - o0;
                        s[4 * r + 3] = o0 - o1;
                    }
                    for (int j = 0; j < 4; j++)
                    {
                        Unsafe.Add(ref target, j * stride + outputBase + tx) = s[j] - s[8 + j];
                        Unsafe.Add(ref target, (4 + j) * stride + outputBase + tx) = s[4 + j] + s[8 + j];
                        Unsafe.Add(ref target, (8 + j) * stride + outputBase + tx) = s[8 + j] - s[4 + j];
                        Unsafe.Add(ref target, (12 + j) * stride + outputBase + tx) = s[4 + j] - s[12 + j];
                    }
                }
            }
        }

        /// <summary>
        /// Output channel plane (oH × oW) rows of tile rows [firstRow, endRow): Y = Aᵀ·m·A for the 16 products
        /// m[ξ] = products[ξ·stride + offset + (ty − firstRow)·tW + tx], plus bias, then the activation.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void TransformOutputs(in ConvolutionGeometry g, ReadOnlySpan<float> products, int stride, int offset, int firstRow, int endRow,
            float bias, ConvolutionActivation activation, Span<float> plane, in Scratch scratch)
        {
            int height = g.Output.Height, width = g.Output.Width, tileColumns = (width + 1) / 2;
            ref float source = ref MemoryMarshal.GetReference(products);
            var outputs = scratch.Outputs;
            ref float y = ref MemoryMarshal.GetReference(outputs);
            bool relu = activation == ConvolutionActivation.Relu;
            int lanes = Vector<float>.Count;
            Span<float> u = stackalloc float[8];
            for (int ty = firstRow; ty < endRow; ty++)
            {
                int rowBase = offset + (ty - firstRow) * tileColumns;
                if (Vector.IsHardwareAccelerated && tileColumns >= lanes)
                {
                    for (int next = 0; next < tileColumns; next += lanes)
                    {
                        int tx = Math.Min(next, tileColumns - lanes);
                        // (m·A)[i] for the four rows of m: [m0 + m1 + m2, m1 − m2 − m3]
                        var (u00, u01) = ColumnTransform(ref source, stride, 0, rowBase + tx);
                        var (u10, u11) = ColumnTransform(ref source, stride, 4, rowBase + tx);
                        var (u20, u21) = ColumnTransform(ref source, stride, 8, rowBase + tx);
                        var (u30, u31) = ColumnTransform(ref source, stride, 12, rowBase + tx);
                        // Aᵀ·(m·A): [u0 + u1 + u2, u1 − u2 − u3], output (a, b) at row 2a + b of the scratch
                        (u00 + u10 + u20).StoreUnsafe(ref y, (nuint)tx);
                        (u01 + u11 + u21).StoreUnsafe(ref y, (nuint)(tileColumns + tx));
                        (u10 - u20 - u30).StoreUnsafe(ref y, (nuint)(2 * tileColumns + tx));
                        (u11 - u21 - u31).StoreUnsafe(ref y, (nuint)(3 * tileColumns + tx));
                    }
                }
                else
                    for (int tx = 0; tx < tileColumns; tx++)
                    {
                        for (int i = 0; i < 4; i++)
                        {
                            float m0 = Unsafe.Add(ref source, (4 * i) * stride + rowBase + tx), m1 = Unsafe.Add(ref source, (4 * i + 1) * stride + rowBase + tx);
                            float m2 = Unsafe.Add(ref source, (4 * i + 2) * stride + rowBase + tx), m3 = Unsafe.Add(ref source, (4 * i + 3) * stride + rowBase + tx);
                            u[2 * i] = m0 + m1 + m2;
                            u[2 * i + 1] = m1 - m2 - m3;
                        }
                        for (int b = 0; b < 2; b++)
                        {
                            Unsafe.Add(ref y, b * tileColumns + tx) = u[b] + u[2 + b] + u[4 + b];
                            Unsafe.Add(ref y, (2 + b) * tileColumns + tx) = u[2 + b] - u[4 + b] - u[6 + b];
                        }
                    }
                // outputs holds rows (a, b) = (0, 0), (0, 1), (1, 0), (1, 1): interleave b into output rows 2ty and 2ty + 1.
                for (int a = 0; a < 2 && 2 * ty + a < height; a++)
                {
                    var row = plane.Slice((2 * ty + a) * width, width);
                    var left = outputs.Slice(2 * a * tileColumns, tileColumns);
                    var right = outputs.Slice((2 * a + 1) * tileColumns, tileColumns);
                    for (int tx = 0; tx < tileColumns; tx++)
                    {
                        float value = left[tx] + bias;
                        row[2 * tx] = relu ? Math.Max(value, 0f) : value;
                        if (2 * tx + 1 < width)
                        {
                            value = right[tx] + bias;
                            row[2 * tx + 1] = relu ? Math.Max(value, 0f) : value;
                        }
                    }
                }
            }
        }

        /// <summary>One patch row r (even and odd columns of its padded input row at tile tx): (d·B)[r] = [d0 − d2, d1 + d2, d2 − d1, d1 − d3].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (Vector<float>, Vector<float>, Vector<float>, Vector<float>) RowTransform(ref float even, ref float odd, int at)
        {
            var e0 = Vector.LoadUnsafe(ref even, (nuint)at);
            var o0 = Vector.LoadUnsafe(ref odd, (nuint)at);
            var e1 = Vector.LoadUnsafe(ref even, (nuint)(at + 1));
            var o1 = Vector.LoadUnsafe(ref odd, (nuint)(at + 1));
            return (e0 - e1, o0 + e1, e1 - o0, o0 - o1);
        }

        /// <summary>Stores a row of four transformed values at ξ = first .. first + 3 (ξ apart by stride).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(ref float at, int stride, int first, Vector<float> v0, Vector<float> v1, Vector<float> v2, Vector<float> v3)
        {
            v0.StoreUnsafe(ref at, (nuint)(first * stride));
            v1.StoreUnsafe(ref at, (nuint)((first + 1) * stride));
            v2.StoreUnsafe(ref at, (nuint)((first + 2) * stride));
            v3.StoreUnsafe(ref at, (nuint)((first + 3) * stride));
        }

        /// <summary>Row i of the products (m at ξ = first .. first + 3): (m·A)[i] = [m0 + m1 + m2, m1 − m2 − m3].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (Vector<float>, Vector<float>) ColumnTransform(ref float source, int stride, int first, int at)
        {
            var m0 = Vector.LoadUnsafe(ref source, (nuint)(first * stride + at));
            var m1 = Vector.LoadUnsafe(ref source, (nuint)((first + 1) * stride + at));
            var m2 = Vector.LoadUnsafe(ref source, (nuint)((first + 2) * stride + at));
            var m3 = Vector.LoadUnsafe(ref source, (nuint)((first + 3) * stride + at));
            return (m0 + m1 + m2, m1 - m2 - m3);
        }
    }
}
