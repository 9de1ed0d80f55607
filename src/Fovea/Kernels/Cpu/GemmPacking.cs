using System.Runtime.CompilerServices;

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
                // op(A)[i, p] = a[i·lda + p]: read each stored row contiguously, write it with stride R.
                for (int r = 0; r < rowsPerPanel; r++)
                {
                    float* column = destination + r;
                    if (r < valid)
                    {
                        float* source = a + (firstRow + r) * lda + depth0;
                        for (int p = 0; p < depth; p++) column[p * rowsPerPanel] = source[p];
                    }
                    else
                    {
                        for (int p = 0; p < depth; p++) column[p * rowsPerPanel] = 0;
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
                // op(B)[p, j] = b[j·ldb + p]: read each stored row (one column of op(B)) contiguously.
                for (int j = 0; j < columnsPerPanel; j++)
                {
                    float* column = destination + j;
                    if (j < valid)
                    {
                        float* source = b + (column0 + first + j) * ldb + depth0;
                        for (int p = 0; p < depth; p++) column[p * columnsPerPanel] = source[p];
                    }
                    else
                    {
                        for (int p = 0; p < depth; p++) column[p * columnsPerPanel] = 0;
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
}
