using System.Buffers;
using System.Runtime.CompilerServices;

namespace Fovea.Kernels.Cpu;

internal static partial class Convolution
{
    /// <summary>
    /// Winograd F(2x2, 3x3) for 3x3, stride-1, undilated, ungrouped 2-D convolutions (with enough channels): each
    /// 2x2 block of outputs ("tile") comes from a 4x4 input patch with 16 products per channel pair instead of 36.
    /// With d a patch, g a filter and m the transformed product, Y = Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A. Every step is a
    /// GEMM on data laid out so that the transforms need no code of their own:
    /// <list type="number">
    /// <item>D (16 × C_in·T): the 4x4 stride-2 patches of each input channel, as vol2col of that channel alone
    /// (row = position in the patch, column = (channel, tile)), for a chunk of T tiles;</item>
    /// <item>V = Bk·D with Bk = Bᵀ⊗Bᵀ (16 × 16): row ξ of V is the (C_in × T) matrix of transformed patches at ξ;</item>
    /// <item>M[ξ] = U[ξ]·V[ξ] for the 16 ξ, U[ξ] (C_out × C_in) the transformed filters: 16 GEMMs with K = C_in;</item>
    /// <item>Y = Ak·M with Ak = Aᵀ⊗Aᵀ (4 × 16): row (a, b) holds output (2ty + a, 2tx + b) of every (channel, tile);</item>
    /// <item>Y is written to its place in the output with the bias and activation.</item>
    /// </list>
    /// Multiplies per tile: 16·16·C_in + 16·C_in·C_out + 64·C_out against 36·C_in·C_out for the lowering (1.75x fewer
    /// at 64 channels, 2x at 256). The input gradient of such a convolution is the same kind of convolution (of the
    /// output gradient with the flipped, transposed filters), so it takes this path too.
    /// </summary>
    internal static class Winograd
    {
        /// <summary>Floats of the per-task buffers (D, V, M, Y) a chunk of tiles may use (4 MiB).</summary>
        private const int TargetFloats = 1 << 20;

        private static readonly float[] InputTransform = Kronecker(
            [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]);                // Bᵀ ⊗ Bᵀ: 16 × 16

        private static readonly float[] OutputTransform = Kronecker(
            [[1, 1, 1, 0], [0, 1, -1, -1]]);                                               // Aᵀ ⊗ Aᵀ: 4 × 16

        private static readonly float[][] FilterTransform =
            [[1f, 0f, 0f], [0.5f, 0.5f, 0.5f], [0.5f, -0.5f, 0.5f], [0f, 0f, 1f]];          // G: 4 × 3

        /// <summary>
        /// Fewest channels (in and out) for which the dense transforms pay for themselves: measured on the development
        /// machine, Winograd took 0.9x the time of the lowering at 64 channels, 0.75x at 128 and 0.7x at 256.
        /// </summary>
        public const int MinimumChannels = 96;

        /// <summary>Whether the algorithm computes this convolution: 3x3, stride 1, dilation 1, one group, 2-D.</summary>
        public static bool Computes(in ConvolutionGeometry g) =>
            g.Kernel == new Extent3(1, 3, 3) && g.Stride == new Extent3(1, 1, 1) && g.Dilation == new Extent3(1, 1, 1)
            && g.Groups == 1 && g.Input.Depth == 1;

        /// <summary>Whether it computes the input gradient: the adjoint convolution must itself qualify (padding ≤ 2 on each side).</summary>
        public static bool ComputesInputGradient(in ConvolutionGeometry g) =>
            Computes(g) && g.PaddingStart.Height <= 2 && g.PaddingStart.Width <= 2;

        /// <summary>Whether the production kernels use it: it computes the convolution and there are enough channels.</summary>
        public static bool Pays(in ConvolutionGeometry g) => Math.Min(g.InChannels, g.OutChannels) >= MinimumChannels;

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
                TransformFilters(weight.Span, outChannels, inChannels, filters);
                // The tiles as the outputs of a 4x4, stride-2 window over one channel: vol2col gives their patches.
                int tileRows = (g.Output.Height + 1) / 2, tileColumns = (g.Output.Width + 1) / 2, tilesPerImage = tileRows * tileColumns;
                var patches = new ConvolutionGeometry(1, 1, 1, 1, g.Input, new Extent3(1, 4, 4), new Extent3(1, tileRows, tileColumns),
                    new Extent3(1, 2, 2), new Extent3(1, 1, 1), g.PaddingStart);
                var taps = new VolumeColumns.TapTable(patches);
                int tasks = WorkSplit.Tasks(g.Batch, 16L * tilesPerImage * inChannels * outChannels);
                int perTask = tasks == 0 ? 0 : (g.Batch + tasks - 1) / tasks;
                int chunkTiles = Math.Max(64, TargetFloats / (32 * inChannels + 20 * outChannels));
                // Whole images side by side when they are small, bands of tile rows when one image has more tiles than a chunk.
                int imagesPerChunk = Math.Clamp(chunkTiles / tilesPerImage, 1, Math.Max(1, perTask));
                int rowsPerBand = imagesPerChunk > 1 ? tileRows : Math.Clamp(chunkTiles / tileColumns, 1, tileRows);
                int bufferTiles = imagesPerChunk * rowsPerBand * tileColumns;
                void Body(int start, int end)
                {
                    var buffers = ArrayPool<float>.Shared.Rent(bufferTiles * (32 * inChannels + 20 * outChannels));
                    try
                    {
                        for (int first = start; first < end; first += imagesPerChunk)
                        {
                            int images = Math.Min(imagesPerChunk, end - first);
                            for (int firstRow = 0; firstRow < tileRows; firstRow += rowsPerBand)
                            {
                                int endRow = Math.Min(tileRows, firstRow + rowsPerBand);
                                Chunk(g, patches, taps, input.Span, filters, bias.Span, output.Span, activation, buffers,
                                    first, images, firstRow, endRow, tileColumns);
                            }
                        }
                    }
                    finally { ArrayPool<float>.Shared.Return(buffers); }
                }
                if (tasks <= 1) Body(0, g.Batch);
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
        private static void Chunk(in ConvolutionGeometry g, in ConvolutionGeometry patches, VolumeColumns.TapTable taps, ReadOnlySpan<float> input,
            float[] filters, ReadOnlySpan<float> bias, Span<float> output, ConvolutionActivation activation, float[] buffers,
            int first, int images, int firstRow, int endRow, int tileColumns)
        {
            int inChannels = g.InChannels, outChannels = g.OutChannels, plane = g.Input.Product;
            int band = (endRow - firstRow) * tileColumns, tiles = images * band;
            var patchMatrix = buffers.AsSpan(0, 16 * inChannels * tiles);                                  // D: 16 × C_in·T
            var transformed = buffers.AsSpan(16 * inChannels * tiles, 16 * inChannels * tiles);            // V: 16 × C_in·T
            var products = buffers.AsSpan(32 * inChannels * tiles, 16 * outChannels * tiles);             // M: 16 × C_out·T
            var outputs = buffers.AsSpan(32 * inChannels * tiles + 16 * outChannels * tiles, 4 * outChannels * tiles); // Y: 4 × C_out·T
            for (int s = 0; s < images; s++)
                for (int c = 0; c < inChannels; c++)
                    VolumeColumns.VolumeToColumns(patches, taps, input.Slice(((first + s) * inChannels + c) * plane, plane), patchMatrix,
                        inChannels * tiles, c * tiles + s * band, firstRow, endRow);
            Gemm.Multiply(false, false, 16, inChannels * tiles, 16, 1f, InputTransform, 16, patchMatrix, inChannels * tiles,
                0f, transformed, inChannels * tiles);
            for (int xi = 0; xi < 16; xi++)
                Gemm.Multiply(false, false, outChannels, tiles, inChannels, 1f, filters.AsSpan(xi * outChannels * inChannels, outChannels * inChannels),
                    inChannels, transformed.Slice(xi * inChannels * tiles, inChannels * tiles), tiles, 0f,
                    products.Slice(xi * outChannels * tiles, outChannels * tiles), tiles);
            Gemm.Multiply(false, false, 4, outChannels * tiles, 16, 1f, OutputTransform, 16, products, outChannels * tiles,
                0f, outputs, outChannels * tiles);
            Scatter(g, outputs, bias, output, activation, first, images, firstRow, endRow, tileColumns, tiles);
        }

        /// <summary>Y[(a, b), (co, tile)] -> output[n, co, 2ty + a, 2tx + b] (inside the output only), plus bias and activation.</summary>
        private static void Scatter(in ConvolutionGeometry g, ReadOnlySpan<float> outputs, ReadOnlySpan<float> bias, Span<float> output,
            ConvolutionActivation activation, int first, int images, int firstRow, int endRow, int tileColumns, int tiles)
        {
            int outChannels = g.OutChannels, height = g.Output.Height, width = g.Output.Width, stride = outChannels * tiles;
            int band = (endRow - firstRow) * tileColumns;
            bool relu = activation == ConvolutionActivation.Relu;
            for (int s = 0; s < images; s++)
                for (int co = 0; co < outChannels; co++)
                {
                    float add = bias.IsEmpty ? 0f : bias[co];
                    var target = output.Slice(((first + s) * outChannels + co) * height * width, height * width);
                    for (int ty = firstRow; ty < endRow; ty++)
                        for (int a = 0; a < 2 && 2 * ty + a < height; a++)
                        {
                            var row = target.Slice((2 * ty + a) * width, width);
                            int source = co * tiles + s * band + (ty - firstRow) * tileColumns;
                            var left = outputs.Slice(2 * a * stride + source, tileColumns);
                            var right = outputs.Slice((2 * a + 1) * stride + source, tileColumns);
                            for (int tx = 0; tx < tileColumns; tx++)
                            {
                                float value = left[tx] + add;
                                row[2 * tx] = relu ? Math.Max(value, 0f) : value;
                                if (2 * tx + 1 < width)
                                {
                                    value = right[tx] + add;
                                    row[2 * tx + 1] = relu ? Math.Max(value, 0f) : value;
                                }
                            }
                        }
                }
        }

        /// <summary>U[ξ][co][ci] = (G·g·Gᵀ)[ξ] for each filter g = weight[co, ci] (3 × 3).</summary>
        private static void TransformFilters(ReadOnlySpan<float> weight, int outChannels, int inChannels, float[] filters)
        {
            Span<float> temporary = stackalloc float[12];
            for (int co = 0; co < outChannels; co++)
                for (int ci = 0; ci < inChannels; ci++)
                {
                    var filter = weight.Slice((co * inChannels + ci) * 9, 9);
                    // temporary = G·g (4 × 3), then (G·g)·Gᵀ (4 × 4)
                    for (int i = 0; i < 4; i++)
                        for (int c = 0; c < 3; c++)
                            temporary[i * 3 + c] = FilterTransform[i][0] * filter[c] + FilterTransform[i][1] * filter[3 + c] + FilterTransform[i][2] * filter[6 + c];
                    for (int i = 0; i < 4; i++)
                        for (int j = 0; j < 4; j++)
                            filters[((i * 4 + j) * outChannels + co) * inChannels + ci] =
                                temporary[i * 3] * FilterTransform[j][0] + temporary[i * 3 + 1] * FilterTransform[j][1] + temporary[i * 3 + 2] * FilterTransform[j][2];
                }
        }

        /// <summary>The Kronecker product T ⊗ T of a k × 4 matrix: (k·k) × 16, entry [(i, j), (r, c)] = T[i][r]·T[j][c].</summary>
        private static float[] Kronecker(float[][] transform)
        {
            int k = transform.Length;
            var result = new float[k * k * 16];
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                    for (int r = 0; r < 4; r++)
                        for (int c = 0; c < 4; c++)
                            result[(i * k + j) * 16 + r * 4 + c] = transform[i][r] * transform[j][c];
            return result;
        }
    }
}
