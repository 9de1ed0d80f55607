using System.Buffers;
using System.Runtime.CompilerServices;

namespace Fovea.Kernels.Cpu;

/// <summary>What a convolution's forward pass applies to each output after adding the bias.</summary>
internal enum ConvolutionActivation { None, Relu }

/// <summary>
/// The production convolution kernels (forward, input gradient, weight gradient), tested against
/// <see cref="Reference"/>. Layouts (row-major): input (N, C_in, D, H, W), weight (C_out, C_in/groups, kD, kH, kW),
/// output (N, C_out, oD, oH, oW) in the canonical 3-D form of <see cref="ConvolutionGeometry"/>.
/// <para>Six paths: depthwise convolutions (one input channel per group, groups &gt; 1) run a direct loop
/// (<see cref="Depthwise"/>); 3x3 stride-1 convolutions with many channels and enough 2x2 output tiles over the batch use
/// Winograd F(2x2, 3x3) for the forward pass and the input gradient (<see cref="Winograd"/>); the forward pass of small
/// stride-1 layers (few taps, few filters) runs a register-blocked direct loop (<see cref="Direct"/>); the forward pass of
/// other 2-D layers (stride 1 or 2) runs an implicit GEMM over padded input planes, packing nothing, on fewer images than
/// workers and on wide layers with few taps (<see cref="Implicit"/>); everything else is lowered to GEMM. The lowering splits the batch over the worker threads; each worker lays the column matrices of a
/// chunk of its samples side by side in its own pooled workspace (so small images still give the GEMM a wide matrix)
/// and multiplies once per group. With fewer samples than workers (inference at batch 1) the forward pass instead
/// splits each sample into bands of output rows, one task each, so that the lowering and the epilogue run in parallel
/// too. A 1x1, stride-1, unpadded convolution of one sample needs no column matrix: the input plane already is one.
/// The weight gradient is summed per worker and reduced at the end.</para>
/// Buffers come from <see cref="ArrayPool{T}.Shared"/>; nothing large is allocated per call.
/// </summary>
internal static partial class Convolution
{
    /// <summary>Column floats a worker lays side by side per GEMM (1 MiB): several small images, or one large one.</summary>
    private const int TargetColumnFloats = 1 << 18;

    /// <summary>output = act(weight ⊛ input + bias). bias is empty or (C_out). output is overwritten.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> weight,
        ReadOnlyMemory<float> bias, Memory<float> output, ConvolutionActivation activation = ConvolutionActivation.None)
    {
        switch (ChooseForward(geometry))
        {
            case ForwardPath.Depthwise: Depthwise.Forward(geometry, input, weight, bias, output, activation); break;
            case ForwardPath.Winograd: Winograd.Forward(geometry, input, weight, bias, output, activation); break;
            case ForwardPath.Direct: Direct.Forward(geometry, input, weight, bias, output, activation); break;
            case ForwardPath.Implicit: Implicit.Forward(geometry, input, weight, bias, output, activation); break;
            default: LoweredForward(geometry, input, weight, bias, output, activation); break;
        }
    }

    /// <summary>The kernels a forward pass can take, in the order <see cref="ChooseForward"/> tries them.</summary>
    private enum ForwardPath { Depthwise, Winograd, Direct, Implicit, Lowered }

    /// <summary>The first path that computes the geometry and beats the lowering there (the lowering computes everything).</summary>
    private static ForwardPath ChooseForward(in ConvolutionGeometry geometry) =>
        IsDepthwise(geometry) ? ForwardPath.Depthwise
        : Winograd.Computes(geometry) && Winograd.Pays(geometry) ? ForwardPath.Winograd
        : Direct.Computes(geometry) && Direct.Pays(geometry) ? ForwardPath.Direct
        : Implicit.Computes(geometry) && Implicit.Pays(geometry) ? ForwardPath.Implicit
        : ForwardPath.Lowered;

    /// <summary><see cref="Forward"/> by the GEMM lowering, whatever the geometry (the fallback of the other paths).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void LoweredForward(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> weight,
        ReadOnlyMemory<float> bias, Memory<float> output, ConvolutionActivation activation)
    {
        var plan = new LoweringPlan(geometry, splitBands: true);
        // One band of output rows [firstRow, endRow) of samples [first, first + samples) of one group; of one sample, the
        // group's output channels [channelStart, channelEnd) only.
        void Band(int first, int samples, int group, int firstRow, int endRow, float[] buffers, int channelStart, int channelEnd)
        {
            int width = plan.Geometry.Output.Width, band = (endRow - firstRow) * width;
            var w = weight.Span;
            var y = output.Span;
            var b = bias.Span;
            var weightGroup = w.Slice(group * plan.WeightGroup, plan.WeightGroup);
            int firstChannel = group * plan.OutPerGroup;
            var columns = plan.Columns(input.Span, first, samples, group, firstRow, endRow, buffers, out int columnStride);
            if (samples == 1)
            {
                // (C_out/g, rows) · (rows, band) -> the band of output rows, in place (row length oD·oH·oW)
                int offset = plan.OutputOffset(first, group) + channelStart * plan.Positions + firstRow * width;
                var target = y.Slice(offset, (plan.OutPerGroup - channelStart) * plan.Positions - firstRow * width);
                Gemm.Multiply(false, false, channelEnd - channelStart, band, plan.Rows, 1f, weightGroup[(channelStart * plan.Rows)..], plan.Rows,
                    columns, columnStride, 0f, target, plan.Positions);
                for (int c = channelStart; c < channelEnd; c++)
                {
                    var row = target.Slice((c - channelStart) * plan.Positions, band);
                    Epilogue.BiasActivation(row, row, b.IsEmpty ? 0f : b[firstChannel + c], activation);
                }
                return;
            }
            // Several whole images: multiply into the staging matrix (C_out/g, samples·positions), then move each
            // image's rows to its place in the output, adding bias and activation on the way.
            var staging = buffers.AsSpan(plan.StagingStart, plan.OutPerGroup * columnStride);
            Gemm.Multiply(false, false, plan.OutPerGroup, columnStride, plan.Rows, 1f, weightGroup, plan.Rows,
                columns, columnStride, 0f, staging, columnStride);
            for (int s = 0; s < samples; s++)
            {
                var target = y.Slice(plan.OutputOffset(first + s, group), plan.OutputGroup);
                for (int c = 0; c < plan.OutPerGroup; c++)
                    Epilogue.BiasActivation(staging.Slice(c * columnStride + s * plan.Positions, plan.Positions),
                        target.Slice(c * plan.Positions, plan.Positions), b.IsEmpty ? 0f : b[firstChannel + c], activation);
            }
        }
        if (plan.BandTasks > 0)
        {
            // Fewer samples than workers: each task is one band of one sample (a block of each group's output channels, all
            // groups), its GEMM on its own thread.
            CpuThreads.For(plan.BandTasks, task =>
            {
                int block = task % plan.ChannelBlocks, bandIndex = task / plan.ChannelBlocks;
                int sample = bandIndex / plan.BandsPerSample, firstRow = bandIndex % plan.BandsPerSample * plan.RowsPerTile;
                int endRow = Math.Min(plan.OutputRows, firstRow + plan.RowsPerTile);
                var (channelStart, channelEnd) = WorkSplit.Range(plan.OutPerGroup, plan.ChannelBlocks, block);
                var buffers = plan.RentWorkspace();
                try
                {
                    for (int group = 0; group < plan.Geometry.Groups; group++)
                        Band(sample, 1, group, firstRow, endRow, buffers, channelStart, channelEnd);
                }
                finally { ArrayPool<float>.Shared.Return(buffers); }
            });
            return;
        }
        plan.Run((_, start, end) =>
        {
            var buffers = plan.RentWorkspace();
            try
            {
                for (int first = start; first < end; first += plan.SamplesPerChunk)
                {
                    int samples = Math.Min(plan.SamplesPerChunk, end - first);
                    for (int group = 0; group < plan.Geometry.Groups; group++)
                        for (int firstRow = 0; firstRow < plan.OutputRows; firstRow += plan.RowsPerTile)
                            Band(first, samples, group, firstRow, Math.Min(plan.OutputRows, firstRow + plan.RowsPerTile), buffers,
                                0, plan.OutPerGroup);
                }
            }
            finally { ArrayPool<float>.Shared.Return(buffers); }
        });
    }

    /// <summary>gradInput = the adjoint of <see cref="Forward"/> (without bias) applied to gradOutput. gradInput is overwritten.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardData(in ConvolutionGeometry geometry, ReadOnlyMemory<float> gradOutput, ReadOnlyMemory<float> weight,
        Memory<float> gradInput)
    {
        if (IsDepthwise(geometry))
        {
            Depthwise.BackwardData(geometry, gradOutput, weight, gradInput);
            return;
        }
        if (Winograd.ComputesInputGradient(geometry) && Winograd.Pays(geometry))
        {
            Winograd.BackwardData(geometry, gradOutput, weight, gradInput);
            return;
        }
        var plan = new LoweringPlan(geometry);
        plan.Run((_, start, end) =>
        {
            var g = plan.Geometry;
            int width = g.Output.Width;
            var buffers = plan.RentWorkspace();
            try
            {
                var dy = gradOutput.Span;
                var w = weight.Span;
                var dx = gradInput.Span;
                for (int first = start; first < end; first += plan.SamplesPerChunk)
                {
                    int samples = Math.Min(plan.SamplesPerChunk, end - first);
                    for (int group = 0; group < g.Groups; group++)
                    {
                        var weightGroup = w.Slice(group * plan.WeightGroup, plan.WeightGroup);
                        if (plan.Direct)
                        {
                            // (C_out/g, C_in/g)ᵀ · (C_out/g, positions) -> the input gradient plane block itself
                            var gradient = plan.OutputGradient(dy, first, 1, group, 0, buffers, out int gradientStride);
                            Gemm.Multiply(true, false, plan.Rows, plan.Positions, plan.OutPerGroup, 1f, weightGroup, plan.Rows,
                                gradient, gradientStride, 0f, dx.Slice(plan.InputOffset(first, group), plan.InputGroup), plan.Positions);
                            continue;
                        }
                        for (int s = 0; s < samples; s++) dx.Slice(plan.InputOffset(first + s, group), plan.InputGroup).Clear();
                        for (int firstRow = 0; firstRow < plan.OutputRows; firstRow += plan.RowsPerTile)
                        {
                            int endRow = Math.Min(plan.OutputRows, firstRow + plan.RowsPerTile), band = (endRow - firstRow) * width;
                            var gradient = plan.OutputGradient(dy, first, samples, group, firstRow, buffers, out int gradientStride);
                            // (C_out/g, rows)ᵀ · (C_out/g, samples·band) -> columns, then col2vol per image.
                            int columnStride = samples * band;
                            var columns = buffers.AsSpan(0, plan.Rows * columnStride);
                            Gemm.Multiply(true, false, plan.Rows, columnStride, plan.OutPerGroup, 1f, weightGroup, plan.Rows,
                                gradient, gradientStride, 0f, columns, columnStride);
                            for (int s = 0; s < samples; s++)
                                VolumeColumns.ColumnsToVolume(g, plan.Taps, columns, columnStride, s * band, firstRow, endRow,
                                    dx.Slice(plan.InputOffset(first + s, group), plan.InputGroup));
                        }
                    }
                }
            }
            finally { ArrayPool<float>.Shared.Return(buffers); }
        });
    }

    /// <summary>gradWeight = Σ_n gradOutput_n · columns(input_n)ᵀ per group. gradWeight is overwritten.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardWeight(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> gradOutput,
        Memory<float> gradWeight)
    {
        if (IsDepthwise(geometry))
        {
            Depthwise.BackwardWeight(geometry, input, gradOutput, gradWeight);
            return;
        }
        var plan = new LoweringPlan(geometry);
        int weightSize = geometry.WeightSize;
        // Task 0 sums into gradWeight itself, every other task into its own pooled partial sum.
        var partials = new float[]?[Math.Max(1, plan.Tasks)];
        for (int t = 1; t < partials.Length; t++) partials[t] = ArrayPool<float>.Shared.Rent(weightSize);
        try
        {
            gradWeight.Span[..weightSize].Clear();
            plan.Run((task, start, end) =>
            {
                var g = plan.Geometry;
                int width = g.Output.Width;
                var sum = task == 0 ? gradWeight.Span[..weightSize] : partials[task].AsSpan(0, weightSize);
                sum.Clear();
                var buffers = plan.RentWorkspace();
                try
                {
                    var x = input.Span;
                    var dy = gradOutput.Span;
                    for (int first = start; first < end; first += plan.SamplesPerChunk)
                    {
                        int samples = Math.Min(plan.SamplesPerChunk, end - first);
                        for (int group = 0; group < g.Groups; group++)
                            for (int firstRow = 0; firstRow < plan.OutputRows; firstRow += plan.RowsPerTile)
                            {
                                int endRow = Math.Min(plan.OutputRows, firstRow + plan.RowsPerTile), band = (endRow - firstRow) * width;
                                var columns = plan.Columns(x, first, samples, group, firstRow, endRow, buffers, out int columnStride);
                                var gradient = plan.OutputGradient(dy, first, samples, group, firstRow, buffers, out int gradientStride);
                                // (C_out/g, samples·band) · (rows, samples·band)ᵀ -> (C_out/g, rows), accumulated
                                Gemm.Multiply(false, true, plan.OutPerGroup, plan.Rows, samples * band, 1f, gradient, gradientStride,
                                    columns, columnStride, 1f, sum.Slice(group * plan.WeightGroup, plan.WeightGroup), plan.Rows);
                            }
                    }
                }
                finally { ArrayPool<float>.Shared.Return(buffers); }
            });
            var total = gradWeight.Span[..weightSize];
            for (int t = 1; t < partials.Length; t++)
                System.Numerics.Tensors.TensorPrimitives.Add(total, partials[t].AsSpan(0, weightSize), total);
        }
        finally
        {
            for (int t = 1; t < partials.Length; t++) ArrayPool<float>.Shared.Return(partials[t]!);
        }
    }

    /// <summary>output[n, c, ...] += bias[c]. output: (N, C, positions).</summary>
    public static void AddBias(ReadOnlySpan<float> bias, Span<float> output, int batch, int channels, int positions)
    {
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
            {
                var plane = output.Slice((n * channels + c) * positions, positions);
                System.Numerics.Tensors.TensorPrimitives.Add(plane, bias[c], plane);
            }
    }

    /// <summary>
    /// gradBias[c] = Σ_{n, positions} gradOutput[n, c, ...] (each plane summed in float, the planes of a channel added in
    /// double), channels split over the worker threads. gradOutput: (N, C, positions).
    /// </summary>
    public static void BiasGradient(ReadOnlyMemory<float> gradOutput, Memory<float> gradBias, int batch, int channels, int positions) =>
        WorkSplit.For(channels, (long)batch * positions, (start, end) =>
        {
            var gradient = gradOutput.Span;
            var target = gradBias.Span;
            for (int c = start; c < end; c++)
            {
                double sum = 0;
                for (int n = 0; n < batch; n++)
                    sum += System.Numerics.Tensors.TensorPrimitives.Sum(gradient.Slice((n * channels + c) * positions, positions));
                target[c] = (float)sum;
            }
        });

    /// <summary>An unpadded 1x1 stride-1 convolution: each input plane block already is its column matrix.</summary>
    private static bool IsPointwise(in ConvolutionGeometry geometry) =>
        geometry.Kernel.Product == 1 && geometry.Stride == new Extent3(1, 1, 1) && geometry.PaddingStart == new Extent3(0, 0, 0)
        && geometry.Input == geometry.Output;

    /// <summary>One input channel per group and several groups: the direct depthwise loop beats a GEMM with one-row panels.</summary>
    private static bool IsDepthwise(in ConvolutionGeometry geometry) => geometry.Groups > 1 && geometry.InChannelsPerGroup == 1;
}
