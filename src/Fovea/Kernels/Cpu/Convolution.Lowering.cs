using System.Buffers;

namespace Fovea.Kernels.Cpu;

internal static partial class Convolution
{
    /// <summary>
    /// How a GEMM-lowered convolution is split. The batch goes to the tasks in contiguous ranges. Within a task,
    /// small images are lowered <see cref="SamplesPerChunk"/> at a time with their column matrices side by side
    /// (rows × chunk·positions: one wide GEMM instead of several thin ones); a large image is lowered one band of
    /// <see cref="RowsPerTile"/> output rows at a time, so that its columns stay in cache for the GEMM. Either way
    /// the columns fill about <see cref="TargetColumnFloats"/> floats of a pooled per-task workspace.
    /// Offsets of one sample-group slice: channels of a group are contiguous in NC... layouts, so sample n,
    /// group g starts at (n·groups + g)·slice.
    /// </summary>
    private sealed class LoweringPlan
    {
        /// <summary>Fewest output positions per band when a sample is split into bands for the workers: narrower GEMMs lose more than the split gains.</summary>
        private const int MinimumBandPositions = 64;

        /// <param name="geometry">The convolution.</param>
        /// <param name="splitBands">With fewer samples than workers, split each sample into bands of output rows, one
        /// task each (<see cref="BandTasks"/>); only the forward pass runs such tasks.</param>
        public LoweringPlan(in ConvolutionGeometry geometry, bool splitBands = false)
        {
            Geometry = geometry;
            Taps = new VolumeColumns.TapTable(geometry);
            Rows = geometry.ColumnRows;
            Positions = geometry.ColumnCount;
            OutputRows = geometry.Output.Depth * geometry.Output.Height;
            OutPerGroup = geometry.OutChannelsPerGroup;
            WeightGroup = OutPerGroup * Rows;
            InputGroup = geometry.InChannelsPerGroup * geometry.Input.Product;
            OutputGroup = OutPerGroup * Positions;
            Tasks = WorkSplit.Tasks(geometry.Batch, (long)geometry.OutChannels * Rows * Positions);
            int perTask = Tasks == 0 ? 0 : (geometry.Batch + Tasks - 1) / Tasks;
            long columnsPerSample = Math.Max(1L, (long)Rows * Positions);
            int largest = (int)Math.Max(1, TargetColumnFloats / columnsPerSample);
            SamplesPerChunk = Balanced(perTask, largest);
            // 1x1, stride 1, unpadded, one sample at a time: each input plane block is its own column matrix.
            Direct = IsPointwise(geometry) && SamplesPerChunk == 1;
            RowsPerTile = SamplesPerChunk > 1 || Direct ? OutputRows
                : Balanced(OutputRows, (int)Math.Max(1, TargetColumnFloats / Math.Max(1L, (long)Rows * geometry.Output.Width)));
            int threads = CpuThreads.Available;
            if (splitBands && geometry.Batch < threads && SamplesPerChunk == 1
                && WorkSplit.Tasks(geometry.Batch * threads, (long)geometry.OutChannels * Rows * Positions / threads) > 1)
            {
                // At least as many bands as workers over the batch, each no smaller than MinimumBandPositions.
                int wanted = (threads + geometry.Batch - 1) / geometry.Batch;
                int rows = Math.Min(RowsPerTile, (OutputRows + wanted - 1) / wanted);
                int fewest = (MinimumBandPositions + geometry.Output.Width - 1) / geometry.Output.Width;
                RowsPerTile = Math.Max(rows, Math.Min(fewest, RowsPerTile));
                BandsPerSample = (OutputRows + RowsPerTile - 1) / RowsPerTile;
                // Still fewer bands than workers (deep layers with small images): split the output channels too.
                int bands = geometry.Batch * BandsPerSample;
                ChannelBlocks = bands >= threads ? 1 : Math.Max(1, Math.Min((threads + bands - 1) / bands, OutPerGroup / MinimumBlockChannels));
                if (bands * ChannelBlocks > 1) BandTasks = bands * ChannelBlocks;
            }
            ColumnFloats = Direct ? 0 : Rows * SamplesPerChunk * RowsPerTile * geometry.Output.Width;
            StagingFloats = SamplesPerChunk > 1 ? OutPerGroup * SamplesPerChunk * Positions : 0;
        }

        public ConvolutionGeometry Geometry { get; }
        /// <summary>Each kernel tap's valid output ranges, computed once for every vol2col/col2vol of this call.</summary>
        public VolumeColumns.TapTable Taps { get; }
        /// <summary>Rows of a group's column matrix (C_in/g·kD·kH·kW) and its columns per sample (oD·oH·oW).</summary>
        public int Rows { get; }
        public int Positions { get; }
        /// <summary>Output rows per sample, counted over (od, oh).</summary>
        public int OutputRows { get; }
        public int OutPerGroup { get; }
        /// <summary>Floats of one group's weights, one sample-group input slice and one sample-group output slice.</summary>
        public int WeightGroup { get; }
        public int InputGroup { get; }
        public int OutputGroup { get; }
        public int Tasks { get; }
        public int SamplesPerChunk { get; }
        /// <summary>Output rows lowered at once (all of them unless one image's columns are larger than the target).</summary>
        public int RowsPerTile { get; }
        /// <summary>Fewest output channels per block when the output channels of a band are split over workers.</summary>
        private const int MinimumBlockChannels = 16;

        /// <summary>
        /// Bands of <see cref="RowsPerTile"/> output rows per sample, blocks of output channels per band (of each group), and
        /// tasks of one block of one band each (0: split by samples instead).
        /// </summary>
        public int BandsPerSample { get; }
        public int ChannelBlocks { get; } = 1;
        public int BandTasks { get; }
        /// <summary>The input is used as the column matrix (and the input gradient as its result) without copies.</summary>
        public bool Direct { get; }
        private int ColumnFloats { get; }
        private int StagingFloats { get; }
        /// <summary>Where the staging matrix (C_out/g × chunk·positions) starts in a workspace.</summary>
        public int StagingStart => ColumnFloats;

        public int InputOffset(int sample, int group) => (sample * Geometry.Groups + group) * InputGroup;
        public int OutputOffset(int sample, int group) => (sample * Geometry.Groups + group) * OutputGroup;

        /// <summary><paramref name="count"/> items in near-equal parts of at most <paramref name="largest"/>: the part size.</summary>
        private static int Balanced(int count, int largest)
        {
            int parts = Math.Max(1, (count + largest - 1) / largest);
            return Math.Max(1, (count + parts - 1) / parts);
        }

        /// <summary>body(task, start, end) for each task's range of samples, in parallel when there are several tasks.</summary>
        public void Run(Action<int, int, int> body)
        {
            int tasks = Tasks, samples = Geometry.Batch;
            if (tasks == 1) body(0, 0, samples);
            else CpuThreads.For(tasks, task =>
            {
                var (start, end) = WorkSplit.Range(samples, tasks, task);
                body(task, start, end);
            });
        }

        /// <summary>A pooled workspace: the column matrix of a chunk or band, then the staging matrix of a chunk.</summary>
        public float[] RentWorkspace() => ArrayPool<float>.Shared.Rent(Math.Max(1, ColumnFloats + StagingFloats));

        /// <summary>
        /// The column matrix of output rows [firstRow, endRow) of samples [first, first + samples) of one group; its
        /// row length is <paramref name="leadingDimension"/>. Direct: the input itself.
        /// </summary>
        public ReadOnlySpan<float> Columns(ReadOnlySpan<float> input, int first, int samples, int group, int firstRow, int endRow,
            float[] workspace, out int leadingDimension)
        {
            int band = (endRow - firstRow) * Geometry.Output.Width;
            if (Direct)
            {
                leadingDimension = Positions;
                return input.Slice(InputOffset(first, group) + firstRow * Geometry.Output.Width, InputGroup - firstRow * Geometry.Output.Width);
            }
            leadingDimension = samples * band;
            var columns = workspace.AsSpan(0, Rows * leadingDimension);
            for (int s = 0; s < samples; s++)
                VolumeColumns.VolumeToColumns(Geometry, Taps, input.Slice(InputOffset(first + s, group), InputGroup), columns, leadingDimension,
                    s * band, firstRow, endRow);
            return columns;
        }

        /// <summary>
        /// The output gradient of output rows [firstRow, endRow) of samples [first, first + samples) of one group as a
        /// (C_out/g, ·) matrix with row length <paramref name="leadingDimension"/>: the tensor itself for one sample,
        /// otherwise (whole images) gathered into the staging matrix.
        /// </summary>
        public ReadOnlySpan<float> OutputGradient(ReadOnlySpan<float> gradOutput, int first, int samples, int group, int firstRow,
            float[] workspace, out int leadingDimension)
        {
            if (samples == 1)
            {
                leadingDimension = Positions;
                int offset = firstRow * Geometry.Output.Width;
                return gradOutput.Slice(OutputOffset(first, group) + offset, OutputGroup - offset);
            }
            leadingDimension = samples * Positions;
            var staging = workspace.AsSpan(StagingStart, OutPerGroup * leadingDimension);
            for (int s = 0; s < samples; s++)
            {
                var source = gradOutput.Slice(OutputOffset(first + s, group), OutputGroup);
                for (int c = 0; c < OutPerGroup; c++)
                    source.Slice(c * Positions, Positions).CopyTo(staging.Slice(c * leadingDimension + s * Positions, Positions));
            }
            return staging;
        }
    }
}
