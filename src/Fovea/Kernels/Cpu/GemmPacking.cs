using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// Copies blocks of op(A) and op(B) into the layouts the micro-kernels stream through, so that the
/// kernel reads both operands contiguously whatever the transposes and leading dimensions were.
/// <para>Packed A block (rows × depth of op(A)): micro-panels of R = TKernel.Rows rows, panel q at
/// q·R·depth; inside a panel, element (row r, depth p) at p·R + r ("k-major": the R values one k step
/// broadcasts are adjacent).</para>
/// <para>Packed B block (depth × columns of op(B)): micro-panels of C = TKernel.Columns columns, panel q
/// at q·C·depth; inside a panel, element (depth p, column j) at p·C + j (one k step is C contiguous floats,
/// the vector loads).</para>
/// Rows or columns past the matrix edge are packed as zeros, so edge tiles run the same kernel; their
/// surplus results are simply not stored.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs micro-panels [firstPanel, endPanel) of the op(A) block starting at row <paramref name="row0"/>
    /// and depth <paramref name="depth0"/>. A is stored (m, k), or (k, m) when transposed; lda is its row length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<TKernel>(bool transposeA, float* a, nint lda, int m, int row0, int depth0, int depth,
        int firstPanel, int endPanel, float* packed) where TKernel : struct, IGemmMicroKernel
    {
        int rowsPerPanel = TKernel.Rows;
        for (int panel = firstPanel; panel < endPanel; panel++)
        {
            float* destination = packed + (nint)panel * rowsPerPanel * depth;
            int firstRow = row0 + panel * rowsPerPanel;
            int valid = Math.Min(rowsPerPanel, m - firstRow);
            if (transposeA)
            {
                // op(A)[i, p] = a[p·lda + i]: each k step is `valid` contiguous floats of one stored row.
                float* source = a + depth0 * lda + firstRow;
                for (int p = 0; p < depth; p++, source += lda, destination += rowsPerPanel)
                {
                    int r = 0;
                    for (; r < valid; r++) destination[r] = source[r];
                    for (; r < rowsPerPanel; r++) destination[r] = 0;
                }
            }
            else
            {
                // op(A)[i, p] = a[i·lda + p]: stored rows run along k, so the panel is their transpose.
                int p0 = 0;
                if (Avx.IsSupported && rowsPerPanel <= 8)
                {
                    // 8 k steps at a time: the R rows (zeros past the edge and up to 8) transposed in registers,
                    // each k step stored as 8 floats whose last 8 - R are overwritten by the next step. Stopping
                    // while a later step remains keeps those spare floats inside this panel.
                    float* source = a + firstRow * lda + depth0;
                    for (; p0 + 8 < depth; p0 += 8)
                        Transpose8x8(source + p0, lda, valid, destination + p0 * rowsPerPanel, rowsPerPanel);
                }
                for (int r = 0; r < rowsPerPanel; r++)
                {
                    float* column = destination + r;
                    if (r < valid)
                    {
                        float* source = a + (firstRow + r) * lda + depth0;
                        for (int p = p0; p < depth; p++) column[p * rowsPerPanel] = source[p];
                    }
                    else
                    {
                        for (int p = p0; p < depth; p++) column[p * rowsPerPanel] = 0;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs the op(B) block of <paramref name="columns"/> columns from column <paramref name="column0"/>
    /// and depth rows from <paramref name="depth0"/>. B is stored (k, n), or (n, k) when transposed; ldb is its row length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<TKernel>(bool transposeB, float* b, nint ldb, int column0, int columns, int depth0, int depth,
        float* packed) where TKernel : struct, IGemmMicroKernel
    {
        int columnsPerPanel = TKernel.Columns;
        for (int first = 0; first < columns; first += columnsPerPanel)
        {
            float* destination = packed + (nint)first * depth;
            int valid = Math.Min(columnsPerPanel, columns - first);
            if (transposeB)
            {
                // op(B)[p, j] = b[j·ldb + p]: stored rows (columns of op(B)) run along k; the panel is their transpose.
                float* source = b + (column0 + first) * ldb + depth0;
                int p0 = 0;
                if (Avx.IsSupported && columnsPerPanel % 8 == 0)
                {
                    // 8 x 8 blocks transposed in registers: 8 stored rows by 8 k steps at a time.
                    for (; p0 + 8 <= depth; p0 += 8)
                        for (int group = 0; group < columnsPerPanel; group += 8)
                            Transpose8x8(source + group * ldb + p0, ldb, valid - group,
                                destination + p0 * columnsPerPanel + group, columnsPerPanel);
                }
                for (int j = 0; j < columnsPerPanel; j++)
                {
                    float* column = destination + j;
                    if (j < valid)
                    {
                        float* row = source + j * ldb;
                        for (int p = p0; p < depth; p++) column[p * columnsPerPanel] = row[p];
                    }
                    else
                    {
                        for (int p = p0; p < depth; p++) column[p * columnsPerPanel] = 0;
                    }
                }
            }
            else
            {
                // op(B)[p, j] = b[p·ldb + j]: each k step is one contiguous run of a stored row.
                float* source = b + depth0 * ldb + column0 + first;
                for (int p = 0; p < depth; p++, source += ldb, destination += columnsPerPanel)
                {
                    if (valid == columnsPerPanel)
                    {
                        Unsafe.CopyBlockUnaligned(destination, source, (uint)(columnsPerPanel * sizeof(float)));
                        continue;
                    }
                    int j = 0;
                    for (; j < valid; j++) destination[j] = source[j];
                    for (; j < columnsPerPanel; j++) destination[j] = 0;
                }
            }
        }
    }

    /// <summary>
    /// Transposes an 8 x 8 block in registers: row i (8 floats at source + i·sourceStride; rows from
    /// <paramref name="rows"/> on read as zero, and are never touched) becomes column i of the output, whose row q
    /// (8 floats) is stored at destination + q·destinationStride.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* source, nint sourceStride, int rows, float* destination, nint destinationStride)
    {
        var r0 = rows > 0 ? Avx.LoadVector256(source) : Vector256<float>.Zero;
        var r1 = rows > 1 ? Avx.LoadVector256(source + sourceStride) : Vector256<float>.Zero;
        var r2 = rows > 2 ? Avx.LoadVector256(source + 2 * sourceStride) : Vector256<float>.Zero;
        var r3 = rows > 3 ? Avx.LoadVector256(source + 3 * sourceStride) : Vector256<float>.Zero;
        var r4 = rows > 4 ? Avx.LoadVector256(source + 4 * sourceStride) : Vector256<float>.Zero;
        var r5 = rows > 5 ? Avx.LoadVector256(source + 5 * sourceStride) : Vector256<float>.Zero;
        var r6 = rows > 6 ? Avx.LoadVector256(source + 6 * sourceStride) : Vector256<float>.Zero;
        var r7 = rows > 7 ? Avx.LoadVector256(source + 7 * sourceStride) : Vector256<float>.Zero;
        // Interleave pairs of rows, then pairs of pairs: s_q holds columns q (low 128 bits) and q + 4 (high) of
        // four rows; the last step joins the halves of the two four-row groups.
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(destination, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(destination + destinationStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(destination + 2 * destinationStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(destination + 3 * destinationStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(destination + 4 * destinationStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(destination + 5 * destinationStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(destination + 6 * destinationStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(destination + 7 * destinationStride, Avx.Permute2x128(s3, s7, 0x31));
    }
}
