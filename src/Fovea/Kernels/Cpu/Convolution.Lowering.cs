using System.Buffers;

namespace Fovea.Kernels.Cpu;

internal static partial class Convolution
{
    /// <summary>
    /// How a GEMM-lowered convolution is split: the batch into one contiguous range per task, each range
    /// into chunks of <see cref="SamplesPerChunk"/> samples whose column matrices sit side by side
    /// (rows × chunk·positions). Also the offsets of one sample-group slice: channels of a group are
    /// contiguous in NC... layouts, so sample n, group g starts at (n·groups + g)·slice.
    /// </summary>
    private sealed class LoweringPlan
    {
        public LoweringPlan(in ConvolutionGeometry geometry)
        {
            Geometry = geometry;
            Rows = geometry.ColumnRows;
            Positions = geometry.ColumnCount;
            OutPerGroup = geometry.OutChannelsPerGroup;
            WeightGroup = OutPerGroup * Rows;
            InputGroup = geometry.InChannelsPerGroup * geometry.Input.Product;
            OutputGroup = OutPerGroup * Positions;
            Pointwise = geometry.Kernel.Product == 1 && geometry.Stride == new Extent3(1, 1, 1)
                && geometry.PaddingStart == new Extent3(0, 0, 0) && geometry.Input == geometry.Output;
            Tasks = WorkSplit.Tasks(geometry.Batch, (long)geometry.OutChannels * Rows * Positions);
            int perTask = Tasks == 0 ? 0 : (geometry.Batch + Tasks - 1) / Tasks;
            int largest = Math.Max(1, TargetColumnFloats / Math.Max(1, Rows * Positions));
            int chunks = Math.Max(1, (perTask + largest - 1) / largest);
            SamplesPerChunk = Math.Max(1, (perTask + chunks - 1) / chunks);
            ColumnFloats = SamplesPerChunk == 1 && Pointwise ? 0 : Rows * SamplesPerChunk * Positions;
        }

        public ConvolutionGeometry Geometry { get; }
        /// <summary>Rows of a group's column matrix (C_in/g·kD·kH·kW) and its columns per sample (oD·oH·oW).</summary>
        public int Rows { get; }
        public int Positions { get; }
        public int OutPerGroup { get; }
        /// <summary>Floats of one group's weights, one sample-group input slice and one sample-group output slice.</summary>
        public int WeightGroup { get; }
        public int InputGroup { get; }
        public int OutputGroup { get; }
        /// <summary>1x1 kernel, stride 1, no padding: each input plane block is its own column matrix.</summary>
        public bool Pointwise { get; }
        public int Tasks { get; }
        public int SamplesPerChunk { get; }
        private int ColumnFloats { get; }
        /// <summary>Where the staging matrix (C_out/g × chunk·positions) starts in a workspace.</summary>
        public int StagingStart => ColumnFloats;

        public int InputOffset(int sample, int group) => (sample * Geometry.Groups + group) * InputGroup;
        public int OutputOffset(int sample, int group) => (sample * Geometry.Groups + group) * OutputGroup;

        /// <summary>A chunk of one pointwise sample reads its input (and writes its input gradient) in place.</summary>
        public bool PointwiseWithoutColumns(int samples) => Pointwise && samples == 1;

        /// <summary>body(start, end) for each task's range of samples, in parallel when there are several tasks.</summary>
        public void Run(int sampleCount, Action<int, int> body) => RunIndexed(sampleCount, (_, start, end) => body(start, end));

        public void RunIndexed(int sampleCount, Action<int, int, int> body)
        {
            int tasks = Tasks;
            if (tasks == 1) body(0, 0, sampleCount);
            else CpuThreads.For(tasks, task =>
            {
                var (start, end) = WorkSplit.Range(sampleCount, tasks, task);
                body(task, start, end);
            });
        }

        /// <summary>A pooled workspace: the column matrix of a chunk, then (with staging, for chunks of several samples) the staging matrix.</summary>
        public float[] RentWorkspace(bool withStaging)
        {
            int staging = withStaging && SamplesPerChunk > 1 ? OutPerGroup * SamplesPerChunk * Positions : 0;
            return ArrayPool<float>.Shared.Rent(Math.Max(1, ColumnFloats + staging));
        }

        /// <summary>The column matrix of samples [first, first + samples) of one group, and its row length.</summary>
        public ReadOnlySpan<float> Columns(ReadOnlySpan<float> input, int first, int samples, int group, float[] workspace, out int width)
        {
            if (PointwiseWithoutColumns(samples))
            {
                width = Positions;
                return input.Slice(InputOffset(first, group), InputGroup);
            }
            width = samples * Positions;
            var columns = workspace.AsSpan(0, Rows * width);
            for (int s = 0; s < samples; s++)
                VolumeColumns.VolumeToColumns(Geometry, input.Slice(InputOffset(first + s, group), InputGroup), columns, width, s * Positions);
            return columns;
        }

        /// <summary>
        /// The output gradient of samples [first, first + samples) of one group as one (C_out/g, samples·positions)
        /// matrix: the tensor itself for one sample, otherwise gathered into the staging matrix.
        /// </summary>
        public ReadOnlySpan<float> GatherOutputs(ReadOnlySpan<float> gradOutput, int first, int samples, int group, float[] workspace, out int width)
        {
            width = samples * Positions;
            if (samples == 1) return gradOutput.Slice(OutputOffset(first, group), OutputGroup);
            var staging = workspace.AsSpan(StagingStart, OutPerGroup * width);
            for (int s = 0; s < samples; s++)
            {
                var source = gradOutput.Slice(OutputOffset(first + s, group), OutputGroup);
                for (int c = 0; c < OutPerGroup; c++)
                    source.Slice(c * Positions, Positions).CopyTo(staging.Slice(c * width + s * Positions, Positions));
            }
            return staging;
        }
    }
}
