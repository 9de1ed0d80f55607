using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
            for (int ty = firstRow; ty < endRow; ty++)
            {
                int rowBase = 2 * (ty - firstRow) * half, outputBase = offset + (ty - firstRow) * tileColumns;
                // The widest vectors the row fills (rows of 4 to 7 tiles, 8x8 to 14x14 outputs, take 4 lanes).
                if (Vector512.IsHardwareAccelerated && tileColumns >= Lanes512.Count)
                    InputRow<Lanes512, Vector512<float>>(ref even, ref odd, rowBase, half, tileColumns, ref target, stride, outputBase);
                else if (Vector256.IsHardwareAccelerated && tileColumns >= Lanes256.Count)
                    InputRow<Lanes256, Vector256<float>>(ref even, ref odd, rowBase, half, tileColumns, ref target, stride, outputBase);
                else if (Vector128.IsHardwareAccelerated && tileColumns >= Lanes128.Count)
                    InputRow<Lanes128, Vector128<float>>(ref even, ref odd, rowBase, half, tileColumns, ref target, stride, outputBase);
                else
                    InputRow<Lane, float>(ref even, ref odd, rowBase, half, tileColumns, ref target, stride, outputBase);
            }
        }

        /// <summary>
        /// One row of tiles of <see cref="TransformInputs"/>, vectors along the tiles; the last vector is flush with the row's
        /// end (tiles it shares with the one before get the same values twice).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void InputRow<TLanes, TVector>(ref float even, ref float odd, int rowBase, int half, int tileColumns,
            ref float target, int stride, int outputBase) where TLanes : struct, ILanes<TVector> where TVector : struct
        {
            for (int next = 0; next < tileColumns; next += TLanes.Count)
            {
                int tx = Math.Min(next, tileColumns - TLanes.Count);
                // (d·B)[r] for the four patch rows: columns [d0 − d2, d1 + d2, d2 − d1, d1 − d3]
                var (t00, t01, t02, t03) = RowTransform<TLanes, TVector>(ref even, ref odd, rowBase + tx);
                var (t10, t11, t12, t13) = RowTransform<TLanes, TVector>(ref even, ref odd, rowBase + half + tx);
                var (t20, t21, t22, t23) = RowTransform<TLanes, TVector>(ref even, ref odd, rowBase + 2 * half + tx);
                var (t30, t31, t32, t33) = RowTransform<TLanes, TVector>(ref even, ref odd, rowBase + 3 * half + tx);
                // Bᵀ·(d·B): rows [t0 − t2, t1 + t2, t2 − t1, t1 − t3], stored at ξ = 4·row + column
                ref float at = ref Unsafe.Add(ref target, outputBase + tx);
                Store<TLanes, TVector>(ref at, stride, 0, TLanes.Subtract(t00, t20), TLanes.Subtract(t01, t21), TLanes.Subtract(t02, t22), TLanes.Subtract(t03, t23));
                Store<TLanes, TVector>(ref at, stride, 4, TLanes.Add(t10, t20), TLanes.Add(t11, t21), TLanes.Add(t12, t22), TLanes.Add(t13, t23));
                Store<TLanes, TVector>(ref at, stride, 8, TLanes.Subtract(t20, t10), TLanes.Subtract(t21, t11), TLanes.Subtract(t22, t12), TLanes.Subtract(t23, t13));
                Store<TLanes, TVector>(ref at, stride, 12, TLanes.Subtract(t10, t30), TLanes.Subtract(t11, t31), TLanes.Subtract(t12, t32), TLanes.Subtract(t13, t33));
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
            for (int ty = firstRow; ty < endRow; ty++)
            {
                int rowBase = offset + (ty - firstRow) * tileColumns;
                if (Vector512.IsHardwareAccelerated && tileColumns >= Lanes512.Count)
                    OutputRow<Lanes512, Vector512<float>>(ref source, stride, rowBase, tileColumns, ref y);
                else if (Vector256.IsHardwareAccelerated && tileColumns >= Lanes256.Count)
                    OutputRow<Lanes256, Vector256<float>>(ref source, stride, rowBase, tileColumns, ref y);
                else if (Vector128.IsHardwareAccelerated && tileColumns >= Lanes128.Count)
                    OutputRow<Lanes128, Vector128<float>>(ref source, stride, rowBase, tileColumns, ref y);
                else
                    OutputRow<Lane, float>(ref source, stride, rowBase, tileColumns, ref y);
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

        /// <summary>
        /// One row of tiles of <see cref="TransformOutputs"/>, vectors along the tiles (the last one flush with the row's end),
        /// into the scratch rows (a, b) = (0, 0), (0, 1), (1, 0), (1, 1) of <paramref name="y"/>, each tileColumns long.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void OutputRow<TLanes, TVector>(ref float source, int stride, int rowBase, int tileColumns, ref float y)
            where TLanes : struct, ILanes<TVector> where TVector : struct
        {
            for (int next = 0; next < tileColumns; next += TLanes.Count)
            {
                int tx = Math.Min(next, tileColumns - TLanes.Count);
                // (m·A)[i] for the four rows of m: [m0 + m1 + m2, m1 − m2 − m3]
                var (u00, u01) = ColumnTransform<TLanes, TVector>(ref source, stride, 0, rowBase + tx);
                var (u10, u11) = ColumnTransform<TLanes, TVector>(ref source, stride, 4, rowBase + tx);
                var (u20, u21) = ColumnTransform<TLanes, TVector>(ref source, stride, 8, rowBase + tx);
                var (u30, u31) = ColumnTransform<TLanes, TVector>(ref source, stride, 12, rowBase + tx);
                // Aᵀ·(m·A): [u0 + u1 + u2, u1 − u2 − u3], output (a, b) at row 2a + b of the scratch
                TLanes.Store(TLanes.Add(TLanes.Add(u00, u10), u20), ref y, (nuint)tx);
                TLanes.Store(TLanes.Add(TLanes.Add(u01, u11), u21), ref y, (nuint)(tileColumns + tx));
                TLanes.Store(TLanes.Subtract(TLanes.Subtract(u10, u20), u30), ref y, (nuint)(2 * tileColumns + tx));
                TLanes.Store(TLanes.Subtract(TLanes.Subtract(u11, u21), u31), ref y, (nuint)(3 * tileColumns + tx));
            }
        }

        /// <summary>One patch row r (even and odd columns of its padded input row at tile tx): (d·B)[r] = [d0 − d2, d1 + d2, d2 − d1, d1 − d3].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (TVector, TVector, TVector, TVector) RowTransform<TLanes, TVector>(ref float even, ref float odd, int at)
            where TLanes : struct, ILanes<TVector> where TVector : struct
        {
            var e0 = TLanes.Load(ref even, (nuint)at);
            var o0 = TLanes.Load(ref odd, (nuint)at);
            var e1 = TLanes.Load(ref even, (nuint)(at + 1));
            var o1 = TLanes.Load(ref odd, (nuint)(at + 1));
            return (TLanes.Subtract(e0, e1), TLanes.Add(o0, e1), TLanes.Subtract(e1, o0), TLanes.Subtract(o0, o1));
        }

        /// <summary>Stores a row of four transformed values at ξ = first .. first + 3 (ξ apart by stride).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store<TLanes, TVector>(ref float at, int stride, int first, TVector v0, TVector v1, TVector v2, TVector v3)
            where TLanes : struct, ILanes<TVector> where TVector : struct
        {
            TLanes.Store(v0, ref at, (nuint)(first * stride));
            TLanes.Store(v1, ref at, (nuint)((first + 1) * stride));
            TLanes.Store(v2, ref at, (nuint)((first + 2) * stride));
            TLanes.Store(v3, ref at, (nuint)((first + 3) * stride));
        }

        /// <summary>Row i of the products (m at ξ = first .. first + 3): (m·A)[i] = [m0 + m1 + m2, m1 − m2 − m3].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (TVector, TVector) ColumnTransform<TLanes, TVector>(ref float source, int stride, int first, int at)
            where TLanes : struct, ILanes<TVector> where TVector : struct
        {
            var m0 = TLanes.Load(ref source, (nuint)(first * stride + at));
            var m1 = TLanes.Load(ref source, (nuint)((first + 1) * stride + at));
            var m2 = TLanes.Load(ref source, (nuint)((first + 2) * stride + at));
            var m3 = TLanes.Load(ref source, (nuint)((first + 3) * stride + at));
            return (TLanes.Add(TLanes.Add(m0, m1), m2), TLanes.Subtract(TLanes.Subtract(m1, m2), m3));
        }
    }
}
