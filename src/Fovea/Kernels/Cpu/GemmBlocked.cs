using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// The fast GEMM driver (Goto/BLIS scheme), C = alpha·op(A)·op(B) + beta·C, row-major:
/// <code>
/// for each block of RowBlock rows of op(A)             (the packed A block stays in L2/L3)
///   for each block of DepthBlock along k               (C accumulates across depth blocks)
///     pack op(A)[rows, depth] into R-row micro-panels                 -- parallel region 1
///     parallel over tasks, each a range of columns (and rows when n is narrow):   -- region 2
///       for each ColumnBlock of its columns: pack op(B)[depth, columns] (L2-sized, per thread)
///         for each R-row micro-panel of A              (6 x DepthBlock, 9 KB: stays near the core)
///           for each C-column micro-panel of B         (streamed from L2)
///             micro-kernel: one R x C tile of C
/// </code>
/// Packing buffers are thread-static pinned arrays, reused across calls: no allocation in the steady state.
/// The block sizes follow the BLIS choice for AVX-512 (the broadcast operand's micro-panel near the core,
/// the vector operand's block in L2); on the development machine KC 256–512, NC 128–512 and row blocks of
/// 256–1536 all measured within the noise of each other (±5%), so they are not finely tuned.
/// </summary>
internal static unsafe class GemmBlocked
{
    /// <summary>KC: depth of a packed block. A's 6 x 384 micro-panel (9 KB) is reused by every B micro-panel of a block.</summary>
    private const int DepthBlock = 384;

    /// <summary>Most rows of op(A) packed at once (2.3 MB at DepthBlock 384): bounds the packed A buffer.</summary>
    private const int RowBlock = 1536;

    /// <summary>NC per thread: a 384 x 256 packed B block (384 KB) sits in a 1 MB L2 beside A's panels.</summary>
    private const int ColumnBlock = 256;

    /// <summary>Below this many multiply-adds (m·n·k) a product runs on the calling thread alone: ~15 µs of work.</summary>
    private const long ParallelThreshold = 1L << 21;

    /// <summary>Packed buffers are 64-byte aligned so that B's vector loads never split a cache line.</summary>
    private const int Alignment = 64;

    [ThreadStatic] private static float[]? packedAStorage;
    [ThreadStatic] private static float[]? packedBStorage;

    /// <summary>The micro-kernel this process uses, fixed by the hardware and the DOTNET_Enable* settings at start-up.</summary>
    public static GemmKernel ActiveKernel { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? GemmKernel.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? GemmKernel.Vector256
        : GemmKernel.Scalar;

    /// <summary>Arguments are already validated by <see cref="Gemm.Multiply"/>; m, n, k ≥ 1.</summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        fixed (float* pa = a, pb = b, pc = c)
        {
            var product = new Operands(transposeA, transposeB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            switch (ActiveKernel)
            {
                case GemmKernel.Vector512: Run<GemmKernel6x32>(product); break;
                case GemmKernel.Vector256: Run<GemmKernel6x16>(product); break;
                default: Run<GemmKernelScalar>(product); break;
            }
        }
    }

    /// <summary>One GEMM call's arguments as raw pointers (the spans are pinned by the caller for the whole call).</summary>
    private readonly struct Operands(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc)
    {
        public readonly bool TransposeA = transposeA, TransposeB = transposeB;
        public readonly int M = m, N = n, K = k;
        public readonly float Alpha = alpha, Beta = beta;
        public readonly float* A = a, B = b, C = c;
        public readonly nint Lda = lda, Ldb = ldb, Ldc = ldc;
    }

    /// <summary>How the columns (and, for narrow products, the rows) of one block are cut into parallel tasks.</summary>
    private readonly record struct Split(int RowTasks, int PanelsPerRowTask, int ColumnTasks, int ColumnsPerTask)
    {
        public int Tasks => RowTasks * ColumnTasks;
    }

    private static void Run<TKernel>(in Operands product) where TKernel : struct, IGemmMicroKernel
    {
        int threads = (long)product.M * product.N * product.K < ParallelThreshold ? 1 : CpuThreads.Available;
        // Equal row blocks of at most RowBlock rows, each a whole number of micro-panels.
        int rowBlocks = (product.M + RowBlock - 1) / RowBlock;
        int rowsPerBlock = RoundUp((product.M + rowBlocks - 1) / rowBlocks, TKernel.Rows);
        float* packedA = Buffer(ref packedAStorage, rowsPerBlock * Math.Min(DepthBlock, product.K));
        var parallel = threads > 1 ? new ParallelBlock<TKernel>(product, packedA) : null;

        for (int row0 = 0; row0 < product.M; row0 += rowsPerBlock)
        {
            int rows = Math.Min(rowsPerBlock, product.M - row0);
            int panels = (rows + TKernel.Rows - 1) / TKernel.Rows;
            var split = ChooseSplit(threads, panels, product.N, TKernel.Columns);
            for (int depth0 = 0; depth0 < product.K; depth0 += DepthBlock)
            {
                int depth = Math.Min(DepthBlock, product.K - depth0);
                // The caller's beta applies once, on the first depth block; later blocks add to C.
                float beta = depth0 == 0 ? product.Beta : 1f;
                if (parallel is null)
                {
                    GemmPacking.PackA<TKernel>(product.TransposeA, product.A, product.Lda, product.M, row0, depth0, depth, 0, panels, packedA);
                    ComputeTask<TKernel>(product, packedA, row0, rows, depth0, depth, beta, split, 0);
                }
                else
                {
                    parallel.RunBlock(row0, rows, panels, depth0, depth, beta, split, threads);
                }
            }
        }
    }

    /// <summary>
    /// Prefers cutting columns: a column task packs only its own B columns, while a row task repacks
    /// all of B's block. Rows are cut too only when the columns give too few tasks. Twice as many tasks as
    /// threads lets a thread slowed by other load take fewer.
    /// </summary>
    private static Split ChooseSplit(int threads, int rowPanels, int n, int columnsPerPanel)
    {
        int columnPanels = (n + columnsPerPanel - 1) / columnsPerPanel;
        if (threads == 1) return new Split(1, rowPanels, 1, columnPanels * columnsPerPanel);
        int wanted = 2 * threads;
        int columnTasks = Math.Min(columnPanels, Math.Max(wanted, (n + ColumnBlock - 1) / ColumnBlock));
        int panelsPerColumnTask = (columnPanels + columnTasks - 1) / columnTasks;
        columnTasks = (columnPanels + panelsPerColumnTask - 1) / panelsPerColumnTask;
        int rowTasks = columnTasks >= wanted ? 1 : Math.Min(rowPanels, (wanted + columnTasks - 1) / columnTasks);
        int panelsPerRowTask = (rowPanels + rowTasks - 1) / rowTasks;
        rowTasks = (rowPanels + panelsPerRowTask - 1) / panelsPerRowTask;
        return new Split(rowTasks, panelsPerRowTask, columnTasks, panelsPerColumnTask * columnsPerPanel);
    }

    /// <summary>The state one parallel GEMM shares with its tasks (one object per call, two delegates).</summary>
    private sealed class ParallelBlock<TKernel> where TKernel : struct, IGemmMicroKernel
    {
        private readonly Operands product;
        private readonly float* packedA;
        private readonly Action<int> packTask, computeTask;
        private int row0, rows, panels, depth0, depth, packTasks;
        private float beta;
        private Split split;

        public ParallelBlock(in Operands product, float* packedA)
        {
            this.product = product;
            this.packedA = packedA;
            packTask = PackTask;
            computeTask = ComputeTask;
        }

        public void RunBlock(int row0, int rows, int panels, int depth0, int depth, float beta, Split split, int threads)
        {
            (this.row0, this.rows, this.panels, this.depth0, this.depth, this.beta, this.split) = (row0, rows, panels, depth0, depth, beta, split);
            packTasks = Math.Min(threads, panels);
            CpuThreads.For(packTasks, packTask);
            CpuThreads.For(split.Tasks, computeTask);
        }

        private void PackTask(int task)
        {
            int first = (int)((long)panels * task / packTasks), end = (int)((long)panels * (task + 1) / packTasks);
            GemmPacking.PackA<TKernel>(product.TransposeA, product.A, product.Lda, product.M, row0, depth0, depth, first, end, packedA);
        }

        private void ComputeTask(int task) =>
            GemmBlocked.ComputeTask<TKernel>(product, packedA, row0, rows, depth0, depth, beta, split, task);
    }

    /// <summary>
    /// One task of a block: its range of columns, in ColumnBlock pieces (each packed into this thread's B buffer),
    /// times its range of A's packed row micro-panels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ComputeTask<TKernel>(in Operands product, float* packedA, int row0, int rows, int depth0, int depth,
        float beta, Split split, int task) where TKernel : struct, IGemmMicroKernel
    {
        int tileRows = TKernel.Rows, tileColumns = TKernel.Columns;
        int rowTask = task / split.ColumnTasks, columnTask = task % split.ColumnTasks;
        int firstPanel = rowTask * split.PanelsPerRowTask;
        int endRow = Math.Min(rows, (firstPanel + split.PanelsPerRowTask) * tileRows);
        int firstColumn = columnTask * split.ColumnsPerTask;
        int endColumn = Math.Min(product.N, firstColumn + split.ColumnsPerTask);
        int columnBlock = RoundUp(Math.Min(ColumnBlock, split.ColumnsPerTask), tileColumns);
        float* packedB = Buffer(ref packedBStorage, columnBlock * depth);
        float* tile = stackalloc float[TKernel.Rows * TKernel.Columns];

        for (int column0 = firstColumn; column0 < endColumn; column0 += columnBlock)
        {
            int columns = Math.Min(columnBlock, endColumn - column0);
            GemmPacking.PackB<TKernel>(product.TransposeB, product.B, product.Ldb, column0, columns, depth0, depth, packedB);
            for (int row = firstPanel * tileRows; row < endRow; row += tileRows)
            {
                float* aPanel = packedA + (nint)(row / tileRows) * tileRows * depth;
                int validRows = Math.Min(tileRows, rows - row);
                float* cRow = product.C + (row0 + row) * product.Ldc;
                for (int column = 0; column < columns; column += tileColumns)
                {
                    float* bPanel = packedB + (nint)column * depth;
                    float* cTile = cRow + column0 + column;
                    int validColumns = Math.Min(tileColumns, columns - column);
                    if (validRows == tileRows && validColumns == tileColumns)
                    {
                        TKernel.Run(aPanel, bPanel, depth, cTile, product.Ldc, product.Alpha, beta);
                        continue;
                    }
                    // Edge tile: the full tile goes to a scratch tile, only its valid part into C.
                    TKernel.Run(aPanel, bPanel, depth, tile, tileColumns, product.Alpha, 0f);
                    StorePartialTile(tile, tileColumns, validRows, validColumns, cTile, product.Ldc, beta);
                }
            }
        }
    }

    /// <summary>C[r, j] = tile[r, j] + beta·C[r, j] over the valid part; beta 0 does not read C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StorePartialTile(float* tile, int tileColumns, int validRows, int validColumns, float* c, nint ldc, float beta)
    {
        for (int r = 0; r < validRows; r++, tile += tileColumns, c += ldc)
        {
            if (beta == 0)
                for (int j = 0; j < validColumns; j++) c[j] = tile[j];
            else
                for (int j = 0; j < validColumns; j++) c[j] = tile[j] + beta * c[j];
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>This thread's pinned buffer of at least <paramref name="length"/> floats, 64-byte aligned; grown when too small.</summary>
    private static float* Buffer(ref float[]? storage, int length)
    {
        int needed = length + Alignment / sizeof(float);
        if (storage is null || storage.Length < needed)
            storage = GC.AllocateUninitializedArray<float>(needed, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(storage));
        return (float*)((address + Alignment - 1) & ~(nint)(Alignment - 1));
    }
}
