using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;

namespace Fovea.Kernels.Cpu;

internal static partial class Convolution
{
    /// <summary>
    /// Winograd F(2x2, 3x3) for 3x3, stride-1, undilated, ungrouped 2-D convolutions (with enough channels): each
    /// 2x2 block of outputs ("tile") comes from a 4x4 input patch d with 16 products per channel pair instead of 36:
    /// Y = Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A for a filter g. For a chunk of T tiles:
    /// <list type="number">
    /// <item>V[ξ] (C_in × T) = the transformed patches Bᵀ·d·B at position ξ of the 4x4 result, computed for a whole row
    /// of tiles at once with vectors along the tiles (<see cref="TransformInputs"/>);</item>
    /// <item>M[ξ] = U[ξ]·V[ξ] for the 16 ξ, U[ξ] (C_out × C_in) the transformed filters: 16 GEMMs with K = C_in;</item>
    /// <item>Y = Aᵀ·M·A per (output channel, tile), again vectorised along a row of tiles, written to the output with the
    /// bias and activation (<see cref="TransformOutputs"/>).</item>
    /// </list>
    /// The input gradient of such a convolution is the same kind of convolution (of the output gradient with the
    /// flipped, transposed filters), so it takes this path too. Workers take ranges of
    /// images or, with fewer images than workers, bands of tile rows of each image.
    /// </summary>
    internal static partial class Winograd
    {
        /// <summary>Fewest tiles per band when one image is split into bands for the workers (narrower GEMMs lose more than the split gains).</summary>
        private const int MinimumBandTiles = 48;

        /// <summary>Floats of the per-task buffers (V and M) a chunk of tiles may use (4 MiB).</summary>
        private const int TargetFloats = 1 << 20;

        /// <summary>
        /// Fewest channels (in and out) for which Winograd beats the lowering. Measured on the development machine
        /// (CPU time, batch 32, loaded machine): 0.7x the lowering's time at 32 channels (56x56), 0.75x at 64 (56x56),
        /// 0.5x at 128 (28x28), 0.7x at 256 (14x14).
        /// </summary>
        public const int MinimumChannels = 32;

        /// <summary>Whether the algorithm computes this convolution: 3x3, stride 1, dilation 1, one group, 2-D.</summary>
        public static bool Computes(in ConvolutionGeometry g) =>
            g.Kernel == new Extent3(1, 3, 3) && g.Stride == new Extent3(1, 1, 1) && g.Dilation == new Extent3(1, 1, 1)
            && g.Groups == 1 && g.Input.Depth == 1 && g.Output.Depth == 1;

        /// <summary>Whether it computes the input gradient: the adjoint convolution must itself qualify (padding ≤ 2 on each side).</summary>
        public static bool ComputesInputGradient(in ConvolutionGeometry g) =>
            Computes(g) && g.PaddingStart.Height <= 2 && g.PaddingStart.Width <= 2;

        /// <summary>
        /// Fewest tiles (over the whole batch) for which Winograd beats the lowering. The filter transform (16·C_out·C_in
        /// floats written, then packed by each of the 16 GEMMs) is paid once per call and saves 20 multiply-adds per filter
        /// element and tile, and the 16 GEMMs are only as wide as the tiles. Measured (one thread, loaded machine, median
        /// of 7): 512 channels at 7x7 (16 tiles an image) 2.1x the lowering's time at batch 1, 1.4-1.6x at 2-4, 0.8x at 8;
        /// 256 channels at 14x14 (49 tiles) about even at batch 1, 0.7x at batch 2.
        /// </summary>
        public const int MinimumTiles = 96;

        /// <summary>Tiles of the whole batch: 2x2 output blocks, partial ones at odd sizes included.</summary>
        public static long Tiles(in ConvolutionGeometry g) => (long)g.Batch * ((g.Output.Height + 1) / 2) * ((g.Output.Width + 1) / 2);

        /// <summary>Whether the production kernels use it: it computes the convolution, with enough channels and enough tiles.</summary>
        public static bool Pays(in ConvolutionGeometry g) =>
            Math.Min(g.InChannels, g.OutChannels) >= MinimumChannels && Tiles(g) >= MinimumTiles;

        /// <summary>output = act(weight ⊛ input + bias) for a geometry <see cref="Computes"/> accepts. output is overwritten.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Forward(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> weight,
            ReadOnlyMemory<float> bias, Memory<float> output, ConvolutionActivation activation)
        {
            var g = geometry;
            int inChannels = g.InChannels, outChannels = g.OutChannels;
            var filters = ArrayPool<float>.Shared.Rent(16 * outChannels * inChannels);
            try
            {
                TransformFilters(weight, outChannels, inChannels, filters);
                int tileRows = (g.Output.Height + 1) / 2, tileColumns = (g.Output.Width + 1) / 2, tilesPerImage = tileRows * tileColumns;
                int tasks = WorkSplit.Tasks(g.Batch, 16L * tilesPerImage * inChannels * outChannels);
                int perTask = tasks == 0 ? 0 : (g.Batch + tasks - 1) / tasks;
                // At least 192 tiles per chunk, so that the 16 GEMMs are wide enough to run near full speed.
                int chunkTiles = Math.Max(192, TargetFloats / (16 * inChannels + 16 * outChannels));
                // Whole images side by side when they are small, bands of tile rows when one image has more tiles than a chunk.
                int imagesPerChunk = Math.Clamp(chunkTiles / tilesPerImage, 1, Math.Max(1, perTask));
                int rowsPerBand = imagesPerChunk > 1 ? tileRows : Math.Clamp(chunkTiles / tileColumns, 1, tileRows);
                // Fewer images than workers: bands of tile rows are the tasks, at least as many as workers over the batch
                // (each no narrower than MinimumBandTiles), balanced, each GEMM on its task's thread.
                int threads = CpuThreads.Available, bandTasks = 0;
                if (g.Batch < threads && tasks >= 1 && WorkSplit.Tasks(g.Batch * threads, 16L * tilesPerImage * inChannels * outChannels / threads) > 1)
                {
                    int bands = Math.Max((threads + g.Batch - 1) / g.Batch, (tileRows + rowsPerBand - 1) / rowsPerBand);
                    bands = Math.Min(bands, Math.Max(1, tilesPerImage / MinimumBandTiles));
                    rowsPerBand = (tileRows + bands - 1) / bands;
                    bands = (tileRows + rowsPerBand - 1) / rowsPerBand;
                    if (g.Batch * bands > 1) bandTasks = g.Batch * bands;
                }
                int bufferTiles = imagesPerChunk * rowsPerBand * tileColumns;
                void Body(int start, int end)
                {
                    var buffers = ArrayPool<float>.Shared.Rent(bufferTiles * (16 * inChannels + 16 * outChannels)
                        + Scratch.Size(rowsPerBand, tileColumns));
                    try
                    {
                        for (int first = start; first < end; first += imagesPerChunk)
                        {
                            int images = Math.Min(imagesPerChunk, end - first);
                            for (int firstRow = 0; firstRow < tileRows; firstRow += rowsPerBand)
                            {
                                int endRow = Math.Min(tileRows, firstRow + rowsPerBand);
                                Chunk(g, input.Span, filters, bias.Span, output.Span, activation, buffers, bufferTiles,
                                    first, images, firstRow, endRow, tileColumns);
                            }
                        }
                    }
                    finally { ArrayPool<float>.Shared.Return(buffers); }
                }
                if (bandTasks > 0)
                    CpuThreads.For(bandTasks, task =>
                    {
                        int bands = bandTasks / g.Batch, image = task / bands, firstRow = task % bands * rowsPerBand;
                        var buffers = ArrayPool<float>.Shared.Rent(bufferTiles * (16 * inChannels + 16 * outChannels)
                            + Scratch.Size(rowsPerBand, tileColumns));
                        try
                        {
                            Chunk(g, input.Span, filters, bias.Span, output.Span, activation, buffers, bufferTiles,
                                image, 1, firstRow, Math.Min(tileRows, firstRow + rowsPerBand), tileColumns);
                        }
                        finally { ArrayPool<float>.Shared.Return(buffers); }
                    });
                else if (tasks <= 1) Body(0, g.Batch);
                else CpuThreads.For(tasks, task =>
                {
                    var (start, end) = WorkSplit.Range(g.Batch, tasks, task);
                    Body(start, end);
                });
            }
            finally { ArrayPool<float>.Shared.Return(filters); }
        }

        /// <summary>
        /// The input gradient of a convolution <see cref="ComputesInputGradient"/> accepts: the forward pass of the adjoint
        /// convolution, which reads the output gradient with filters w'[ci, co] = w[co, ci] rotated 180° and padding 2 − p.
        /// </summary>
        public static void BackwardData(in ConvolutionGeometry geometry, ReadOnlyMemory<float> gradOutput, ReadOnlyMemory<float> weight,
            Memory<float> gradInput)
        {
            var g = geometry;
            int inChannels = g.InChannels, outChannels = g.OutChannels;
            var adjointWeight = ArrayPool<float>.Shared.Rent(9 * inChannels * outChannels);
            try
            {
                var w = weight.Span;
                for (int co = 0; co < outChannels; co++)
                    for (int ci = 0; ci < inChannels; ci++)
                        for (int k = 0; k < 9; k++)
                            adjointWeight[(ci * outChannels + co) * 9 + 8 - k] = w[(co * inChannels + ci) * 9 + k];
                var adjoint = g with
                {
                    InChannels = outChannels,
                    OutChannels = inChannels,
                    Input = g.Output,
                    Output = g.Input,
                    PaddingStart = new Extent3(0, 2 - g.PaddingStart.Height, 2 - g.PaddingStart.Width),
                };
                Forward(adjoint, gradOutput, adjointWeight.AsMemory(0, 9 * inChannels * outChannels), ReadOnlyMemory<float>.Empty,
                    gradInput, ConvolutionActivation.None);
            }
            finally { ArrayPool<float>.Shared.Return(adjointWeight); }
        }

        /// <summary>One chunk: tile rows [firstRow, endRow) of images [first, first + images).</summary>
        private static void Chunk(in ConvolutionGeometry g, ReadOnlySpan<float> input, float[] filters, ReadOnlySpan<float> bias,
            Span<float> output, ConvolutionActivation activation, float[] buffers, int bufferTiles, int first, int images, int firstRow, int endRow,
            int tileColumns)
        {
            int inChannels = g.InChannels, outChannels = g.OutChannels;
            int band = (endRow - firstRow) * tileColumns, tiles = images * band;
            var transformed = buffers.AsSpan(0, 16 * inChannels * tiles);                                  // V: 16 × C_in·T
            var products = buffers.AsSpan(16 * inChannels * bufferTiles, 16 * outChannels * tiles);         // M: 16 × C_out·T
            var scratch = new Scratch(buffers.AsSpan(16 * (inChannels + outChannels) * bufferTiles), endRow - firstRow, tileColumns);
            for (int s = 0; s < images; s++)
                for (int c = 0; c < inChannels; c++)
                    TransformInputs(g, input.Slice(((first + s) * inChannels + c) * g.Input.Product, g.Input.Product), firstRow, endRow,
                        transformed, inChannels * tiles, c * tiles + s * band, scratch);
            for (int xi = 0; xi < 16; xi++)
                Gemm.Multiply(false, false, outChannels, tiles, inChannels, 1f, filters.AsSpan(xi * outChannels * inChannels, outChannels * inChannels),
                    inChannels, transformed.Slice(xi * inChannels * tiles, inChannels * tiles), tiles, 0f,
                    products.Slice(xi * outChannels * tiles, outChannels * tiles), tiles);
            for (int s = 0; s < images; s++)
                for (int c = 0; c < outChannels; c++)
                    TransformOutputs(g, products, outChannels * tiles, c * tiles + s * band, firstRow, endRow, bias.IsEmpty ? 0f : bias[c],
                        activation, output.Slice(((first + s) * outChannels + c) * g.Output.Product, g.Output.Product), scratch);
        }

        /// <summary>
        /// U[ξ][co][ci] = (G·g·Gᵀ)[ξ] for each filter g = weight[co, ci] (3 × 3), with G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]:
        /// row or column triple (a, b, c) ↦ (a, ½(a + b + c), ½(a − b + c), c). Output channels are split over the workers;
        /// within one, vectors run along the input channels (the 9 taps of a block of filters are first gathered tap-major),
        /// so that each ξ is one contiguous store. Training calls this every step, inference every call.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void TransformFilters(ReadOnlyMemory<float> weight, int outChannels, int inChannels, float[] filters) =>
            WorkSplit.For(outChannels, 32L * inChannels, (start, end) =>
            {
                int lanes = Vector<float>.Count, matrix = outChannels * inChannels;
                // taps: tap k of filter j at k·lanes + j; rows: (G·g)[i, c] at (3i + c)·lanes; partial: a block narrower than a vector.
                Span<float> taps = stackalloc float[9 * lanes];
                Span<float> rows = stackalloc float[12 * lanes];
                Span<float> partial = stackalloc float[16 * lanes];
                var w = weight.Span;
                ref float tap = ref MemoryMarshal.GetReference(taps);
                ref float row = ref MemoryMarshal.GetReference(rows);
                var half = new Vector<float>(0.5f);
                for (int co = start; co < end; co++)
                    for (int first = 0; first < inChannels; first += lanes)
                    {
                        int count = Math.Min(lanes, inChannels - first);
                        if (count < lanes) taps.Clear();
                        for (int j = 0; j < count; j++)
                        {
                            var filter = w.Slice((co * inChannels + first + j) * 9, 9);
                            for (int k = 0; k < 9; k++) taps[k * lanes + j] = filter[k];
                        }
                        // G·g, column by column: (r0, ½(r0 + r1 + r2), ½(r0 − r1 + r2), r2) of filter rows r0..r2.
                        for (int c = 0; c < 3; c++)
                        {
                            var r0 = Vector.LoadUnsafe(ref tap, (nuint)(c * lanes));
                            var r1 = Vector.LoadUnsafe(ref tap, (nuint)((3 + c) * lanes)) * half;
                            var r2 = Vector.LoadUnsafe(ref tap, (nuint)((6 + c) * lanes));
                            var outer = (r0 + r2) * half;
                            r0.StoreUnsafe(ref row, (nuint)(c * lanes));
                            (outer + r1).StoreUnsafe(ref row, (nuint)((3 + c) * lanes));
                            (outer - r1).StoreUnsafe(ref row, (nuint)((6 + c) * lanes));
                            r2.StoreUnsafe(ref row, (nuint)((9 + c) * lanes));
                        }
                        // (G·g)·Gᵀ, row by row, to ξ = 4i .. 4i + 3: in place (ξ apart by C_out·C_in) for a whole vector of
                        // filters, else through the partial buffer (ξ apart by one vector).
                        bool whole = count == lanes;
                        ref float target = ref whole ? ref filters[co * inChannels + first] : ref MemoryMarshal.GetReference(partial);
                        int stride = whole ? matrix : lanes;
                        for (int i = 0; i < 4; i++)
                        {
                            var a = Vector.LoadUnsafe(ref row, (nuint)(3 * i * lanes));
                            var b = Vector.LoadUnsafe(ref row, (nuint)((3 * i + 1) * lanes)) * half;
                            var c = Vector.LoadUnsafe(ref row, (nuint)((3 * i + 2) * lanes));
                            var outer = (a + c) * half;
                            a.StoreUnsafe(ref target, (nuint)(4 * i * stride));
                            (outer + b).StoreUnsafe(ref target, (nuint)((4 * i + 1) * stride));
                            (outer - b).StoreUnsafe(ref target, (nuint)((4 * i + 2) * stride));
                            c.StoreUnsafe(ref target, (nuint)((4 * i + 3) * stride));
                        }
                        if (!whole)
                            for (int xi = 0; xi < 16; xi++)
                                partial.Slice(xi * lanes, count).CopyTo(filters.AsSpan(xi * matrix + co * inChannels + first, count));
                    }
            });
    }
}
