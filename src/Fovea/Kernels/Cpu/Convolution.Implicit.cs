using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Fovea.Kernels.Cpu;

internal static partial class Convolution
{
    /// <summary>
    /// Implicit-GEMM forward convolution for 2-D layers where the lowering's column matrix and packed copies cost as much
    /// as the multiply: the deep layers of ResNet-18 at batch 1 multiply a large weight matrix by a column matrix only 49
    /// to 196 positions wide, so packing the weights and the columns for each call is most of the work, and a 7x7 stem
    /// writes and packs a column matrix 147 taps deep. Here nothing is packed:
    /// <list type="number">
    /// <item>each input channel is copied once into a zero-padded plane, split for stride 2 into its four phases (even/odd
    /// rows × even/odd columns), so that every kernel tap of every output position is one plain load;</item>
    /// <item>outputs are computed on a "grid" as wide as a phase plane (<see cref="Layout.GridWidth"/>): output (oh, ow)
    /// is grid position oh·GridWidth + ow, and tap (c, kh, kw) reads the phase plane of (kh mod s, kw mod s) at grid
    /// position + (kh / s)·GridWidth + kw / s. A tap therefore reads any run of consecutive grid positions as one run of
    /// consecutive floats: the micro-kernel's "B panel" is the padded input itself, addressed through a table of one
    /// offset per tap (<see cref="ImplicitGemmKernel{TLanes, TVector}"/>). The grid's extra columns (GridWidth − oW per
    /// row) are computed and dropped;</item>
    /// <item>the weights are read in place, (C_out, C_in·kH·kW) row-major, six output channels at a time;</item>
    /// <item>the grid is compacted into the output, adding the bias and the activation (or a whole epilogue) on the way.</item>
    /// </list>
    /// With fewer images than workers, one image at a time is split over the workers, by output channels when the weights
    /// are larger than the padded input (deep layers: each worker then reads only its share of the weights), otherwise by
    /// bands of output rows; with more, each image is one worker's task.
    /// </summary>
    internal static class Implicit
    {
        /// <summary>Grid positions per tile: the widest micro-kernel's columns (the narrower ones run it in pieces).</summary>
        private const int TileColumns = 32;

        /// <summary>Taps per pass over the weights: a 6 x 512 block of weights (12 KiB) stays in L1 across the tiles.</summary>
        private const int TapsPerPass = 512;

        /// <summary>Whether this kernel computes the convolution: 2-D, one group, dilation 1, stride 1 or 2 in both dimensions.</summary>
        public static bool Computes(in ConvolutionGeometry g) =>
            g.Groups == 1 && g.Input.Depth == 1 && g.Output.Depth == 1 && g.Kernel.Depth == 1
            && g.Dilation == new Extent3(1, 1, 1) && g.Stride.Height == g.Stride.Width && g.Stride.Height is 1 or 2
            && Layout.Fits(g);

        /// <summary>Multiply-adds that copying one float costs, roughly (copies run at a few floats per cycle, FMAs at 32 per cycle).</summary>
        private const double CopyCost = 4;

        /// <summary>
        /// Whether it beats the lowering. Never for an unpadded 1x1 stride-1 layer, a plain GEMM on the input as it lies
        /// (measured at batch 1 on ResNet-50's 1x1 shapes: the lowering 10-50% faster). Otherwise, with fewer images than
        /// workers, always (measured on every other convolution of ResNet-18 at batch 1). With more, by a cost per image in
        /// multiply-adds: the implicit kernel computes its whole grid (dropped columns and the last tile's remainder
        /// included) and copies the padded input and the output once; the lowering computes only the outputs but writes and
        /// packs a column matrix of taps x positions and stages the output. The implicit kernel wins on wide layers with few
        /// taps (a 7x7 stem: +15% at batch 8; LeNet's second layer: +25%), the lowering on deep layers with small images,
        /// where the grid's dropped columns cost more than the column matrix.
        /// </summary>
        public static bool Pays(in ConvolutionGeometry g)
        {
            if (IsPointwise(g)) return false;
            if (g.Batch < CpuThreads.Available || g.Batch == 1) return true;
            var layout = new Layout(g);
            double positions = g.Output.Product, taps = g.ColumnRows;
            double grid = Math.Ceiling((double)g.Output.Height * layout.GridWidth / TileColumns) * TileColumns;
            double products = g.OutChannels * taps;
            double implicitCost = products * grid + CopyCost * ((double)g.InChannels * layout.ChannelStride + g.OutChannels * positions);
            double loweredCost = products * positions + CopyCost * (3 * taps * positions + g.OutChannels * positions);
            return implicitCost < loweredCost;
        }

        /// <summary>output = act(weight ⊛ input + bias) for a geometry <see cref="Computes"/> accepts. output is overwritten.</summary>
        public static void Forward(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> weight,
            ReadOnlyMemory<float> bias, Memory<float> output, ConvolutionActivation activation) =>
            Forward(geometry, input, weight, new Finish(bias, activation, null), output);

        /// <summary>output = epilogue(weight ⊛ input), the epilogue applied to each output row as the grid is compacted.</summary>
        public static void Forward(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> weight,
            in ConvolutionEpilogue epilogue, Memory<float> output) =>
            Forward(geometry, input, weight, new Finish(ReadOnlyMemory<float>.Empty, ConvolutionActivation.None, epilogue), output);

        private static void Forward(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> weight,
            in Finish finish, Memory<float> output)
        {
            switch (GemmBlocked.ActiveKernel)
            {
                case GemmKernel.Vector512: Run<Lanes512, Vector512<float>>(geometry, input, weight, finish, output); break;
                case GemmKernel.Vector256: Run<Lanes256, Vector256<float>>(geometry, input, weight, finish, output); break;
                default: Run<Lane, float>(geometry, input, weight, finish, output); break;
            }
        }

        /// <summary>What is applied to the output as it leaves the grid: bias and activation, or a whole epilogue.</summary>
        private readonly record struct Finish(ReadOnlyMemory<float> Bias, ConvolutionActivation Activation, ConvolutionEpilogue? Epilogue)
        {
            /// <summary>target = finished(source) for output positions [position, position + source.Length) of one channel of one image.</summary>
            public void Apply(ReadOnlySpan<float> source, Span<float> target, int sample, int channel, int position)
            {
                if (Epilogue is { } epilogue)
                {
                    source.CopyTo(target);
                    epilogue.Apply(target, sample, channel, position);
                    return;
                }
                Cpu.Epilogue.BiasActivation(source, target, Bias.IsEmpty ? 0f : Bias.Span[channel], Activation);
            }
        }

        /// <summary>
        /// Where the padded planes and the grid live. Padded input, per channel: s·s phase planes of PhaseHeight x GridWidth
        /// floats (plus slack, see <see cref="PhaseStride"/>); phase (pr, pc) holds padded input (i·s + pr, j·s + pc) at
        /// (i, j), padded input (r, q) being input (r − padTop, q − padLeft), 0 outside.
        /// </summary>
        internal readonly struct Layout
        {
            public Layout(in ConvolutionGeometry g)
            {
                Stride = g.Stride.Height;
                PhaseHeight = g.Output.Height + (g.Kernel.Height - 1) / Stride;
                GridWidth = g.Output.Width + (g.Kernel.Width - 1) / Stride;
                // A band's last tile reads up to grid position oH·GridWidth + TileColumns − 1 plus the largest tap offset,
                // (PhaseHeight − oH)·GridWidth + (kW − 1)/s: slack after each plane keeps those reads inside it.
                PhaseStride = (PhaseHeight * GridWidth + TileColumns + (g.Kernel.Width - 1) / Stride + 15) / 16 * 16;
                ChannelStride = Stride * Stride * PhaseStride;
            }

            public int Stride { get; }
            public int PhaseHeight { get; }
            public int GridWidth { get; }
            public int PhaseStride { get; }
            public int ChannelStride { get; }

            /// <summary>Whether the padded input, the grid and every tap offset fit in int indices.</summary>
            public static bool Fits(in ConvolutionGeometry g)
            {
                long stride = g.Stride.Height, height = g.Output.Height + (g.Kernel.Height - 1) / Math.Max(1, stride);
                long width = g.Output.Width + (g.Kernel.Width - 1) / Math.Max(1, stride);
                long padded = g.InChannels * stride * stride * (height * width + TileColumns + width);
                return padded < int.MaxValue / 2 && (long)g.OutChannels * (height * width + TileColumns) < int.MaxValue / 2;
            }

            /// <summary>offsets[(c·kH + kh)·kW + kw]: where tap (c, kh, kw) of grid position 0 is in the padded input.</summary>
            public void TapOffsets(in ConvolutionGeometry g, Span<int> offsets)
            {
                int k = 0;
                for (int c = 0; c < g.InChannels; c++)
                    for (int kh = 0; kh < g.Kernel.Height; kh++)
                        for (int kw = 0; kw < g.Kernel.Width; kw++)
                            offsets[k++] = c * ChannelStride + (kh % Stride * Stride + kw % Stride) * PhaseStride
                                + kh / Stride * GridWidth + kw / Stride;
            }

            /// <summary>Channels [first, end) of one image (C_in, H, W) into their zeroed, padded phase planes.</summary>
            public void Pad(in ConvolutionGeometry g, ReadOnlySpan<float> image, Span<float> padded, int first, int end)
            {
                int top = g.PaddingStart.Height, left = g.PaddingStart.Width, height = g.Input.Height, width = g.Input.Width;
                padded.Slice(first * ChannelStride, (end - first) * ChannelStride).Clear();
                // Input columns that land inside the grid: padded column q = iw + left < s·GridWidth.
                int columns = Math.Min(width, Stride * GridWidth - left);
                for (int c = first; c < end; c++)
                    for (int ih = 0; ih < height; ih++)
                    {
                        int r = ih + top;
                        if (r >= Stride * PhaseHeight) break;
                        var source = image.Slice((c * height + ih) * width, columns);
                        int rowStart = c * ChannelStride + r % Stride * Stride * PhaseStride + r / Stride * GridWidth;
                        if (Stride == 1)
                        {
                            source.CopyTo(padded.Slice(rowStart + left));
                            continue;
                        }
                        // Input column iw goes to phase (iw + left) mod 2, column (iw + left) / 2: the even input columns to
                        // one phase and the odd ones to the other.
                        int evens = (columns + 1) / 2, odds = columns / 2, pairs = odds;
                        int evenStart = rowStart + left % 2 * PhaseStride + left / 2;
                        int oddStart = rowStart + (1 + left) % 2 * PhaseStride + (1 + left) / 2;
                        Deinterleave.Split(source[..(2 * pairs)], padded.Slice(evenStart, pairs), padded.Slice(oddStart, pairs));
                        if (evens > pairs) padded[evenStart + pairs] = source[2 * pairs];
                    }
            }
        }

        /// <summary>
        /// How one image's work is cut into pieces: blocks of 6-channel row groups times bands of output rows. Deep layers
        /// (weights larger than the padded input) are cut by channels only, so that each piece reads its own share of the
        /// weights; wide ones by rows only, in bands whose grid stays near L2 size, so that a piece compacts its grid while
        /// the grid is still in cache. <see cref="Choose"/> makes at least two pieces per worker when several share the image.
        /// </summary>
        private readonly record struct Split(int ChannelBlocks, int RowsPerBand, int Bands)
        {
            public int Pieces => ChannelBlocks * Bands;

            public static Split Choose(in ConvolutionGeometry g, in Layout layout, int workers)
            {
                int rowGroups = (g.OutChannels + 5) / 6, taps = g.ColumnRows, height = g.Output.Height;
                int wanted = workers > 1 ? 2 * workers : 1;
                if ((long)g.OutChannels * taps >= (long)g.InChannels * layout.ChannelStride)
                    return new Split(Math.Min(rowGroups, wanted), height, 1);
                // Bands of at least one row, at most BandFloats of grid over all channels, and at least `wanted` of them.
                int byCache = Math.Max(1, BandFloats / Math.Max(1, g.OutChannels * layout.GridWidth));
                int rows = Math.Max(1, Math.Min(byCache, (height + wanted - 1) / wanted));
                return new Split(1, rows, (height + rows - 1) / rows);
            }

            /// <summary>Piece <paramref name="piece"/>: its output channels and rows, and its grid's row length.</summary>
            public Band Piece(in ConvolutionGeometry g, in Layout layout, int piece)
            {
                var (firstGroup, endGroup) = WorkSplit.Range((g.OutChannels + 5) / 6, ChannelBlocks, piece % ChannelBlocks);
                int firstRow = piece / ChannelBlocks * RowsPerBand, endRow = Math.Min(g.Output.Height, firstRow + RowsPerBand);
                // The band's grid row: its output rows on the grid, rounded up to whole tiles.
                int stride = ((endRow - firstRow) * layout.GridWidth + TileColumns - 1) / TileColumns * TileColumns;
                return new Band(firstGroup * 6, Math.Min(g.OutChannels, endGroup * 6), firstRow, endRow, stride);
            }
        }

        /// <summary>Grid floats per band (1 MiB over all output channels): a band's grid is compacted while it is in L2.</summary>
        private const int BandFloats = 1 << 18;

        /// <summary>
        /// With at least as many images as workers, each image is one task (padded, multiplied and compacted by one
        /// worker, in pieces that keep its grid in cache); with fewer, the images are done one after another, each split
        /// over the workers (its padding by channels, then its pieces).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Run<TLanes, TVector>(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> weight,
            Finish finish, Memory<float> output) where TLanes : struct, ILanes<TVector> where TVector : struct
        {
            var g = geometry;
            var layout = new Layout(g);
            int imageTasks = WorkSplit.Tasks(g.Batch, (long)g.OutChannels * g.ColumnRows * g.Output.Product);
            var offsets = ArrayPool<int>.Shared.Rent(g.ColumnRows);
            try
            {
                layout.TapOffsets(g, offsets);
                if (imageTasks > 1 && g.Batch >= CpuThreads.Available)
                {
                    var split = Split.Choose(g, layout, workers: 1);
                    CpuThreads.For(g.Batch, n =>
                    {
                        var padded = ArrayPool<float>.Shared.Rent(g.InChannels * layout.ChannelStride);
                        try
                        {
                            layout.Pad(g, Image(g, input, n).Span, padded, 0, g.InChannels);
                            for (int piece = 0; piece < split.Pieces; piece++)
                                Piece<TLanes, TVector>(g, layout, split.Piece(g, layout, piece), weight, padded, offsets, finish, output, n);
                        }
                        finally { ArrayPool<float>.Shared.Return(padded); }
                    });
                    return;
                }
                var shared = Split.Choose(g, layout, WorkSplit.Tasks(g.OutChannels * g.Output.Height, (long)g.ColumnRows * g.Output.Width));
                int padTasks = WorkSplit.Tasks(g.InChannels, layout.ChannelStride);
                var image = ArrayPool<float>.Shared.Rent(g.InChannels * layout.ChannelStride);
                try
                {
                    for (int n = 0; n < g.Batch; n++)
                    {
                        var source = Image(g, input, n);
                        ForTasks(padTasks, task =>
                        {
                            var (first, end) = WorkSplit.Range(g.InChannels, padTasks, task);
                            layout.Pad(g, source.Span, image, first, end);
                        });
                        ForTasks(shared.Pieces, piece =>
                            Piece<TLanes, TVector>(g, layout, shared.Piece(g, layout, piece), weight, image, offsets, finish, output, n));
                    }
                }
                finally { ArrayPool<float>.Shared.Return(image); }
            }
            finally { ArrayPool<int>.Shared.Return(offsets); }
        }

        /// <summary>Image n of the input: (C_in, H, W).</summary>
        private static ReadOnlyMemory<float> Image(in ConvolutionGeometry g, ReadOnlyMemory<float> input, int n) =>
            input.Slice(n * g.InChannels * g.Input.Product, g.InChannels * g.Input.Product);

        /// <summary>One piece of image n: its grid (pooled), multiplied, then compacted into the output.</summary>
        private static unsafe void Piece<TLanes, TVector>(in ConvolutionGeometry g, in Layout layout, in Band band, ReadOnlyMemory<float> weight,
            float[] padded, int[] offsets, in Finish finish, Memory<float> output, int n) where TLanes : struct, ILanes<TVector> where TVector : struct
        {
            var grid = ArrayPool<float>.Shared.Rent((band.EndChannel - band.FirstChannel) * band.Stride);
            try
            {
                fixed (float* w = weight.Span, x = padded, y = grid)
                fixed (int* o = offsets)
                    Multiply<TLanes, TVector>(g, layout, band, w, x, o, y);
                var target = output.Span.Slice(n * g.OutChannels * g.Output.Product, g.OutChannels * g.Output.Product);
                Compact(g, layout, band, grid, finish, target, n);
            }
            finally { ArrayPool<float>.Shared.Return(grid); }
        }

        private static void ForTasks(int tasks, Action<int> body)
        {
            if (tasks <= 1) body(0);
            else CpuThreads.For(tasks, body);
        }

        /// <summary>
        /// One task's share of an image: output channels [FirstChannel, EndChannel) and output rows [FirstRow, EndRow), whose
        /// grid (channels, Stride) starts at grid position FirstRow·GridWidth.
        /// </summary>
        private readonly record struct Band(int FirstChannel, int EndChannel, int FirstRow, int EndRow, int Stride);

        /// <summary>
        /// A band's grid: the taps in passes of <see cref="TapsPerPass"/> (whole input channels), each pass adding to what the
        /// previous ones left. Within a pass, either each 6-channel block of weights meets every tile while it is in L1 (deep
        /// layers: many weights, few tiles), or each tile's input meets every block of weights (wide layers such as a stem:
        /// few weights, many tiles, whose input would otherwise be read from L2 once per block).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe void Multiply<TLanes, TVector>(in ConvolutionGeometry g, in Layout layout, in Band band, float* weight, float* padded,
            int* offsets, float* grid) where TLanes : struct, ILanes<TVector> where TVector : struct
        {
            int taps = g.ColumnRows, perChannel = g.Kernel.Height * g.Kernel.Width;
            int tapsPerPass = Math.Max(1, TapsPerPass / perChannel) * perChannel;
            int groups = (band.EndChannel - band.FirstChannel + 5) / 6, tiles = band.Stride / TileColumns;
            bool tilesOuter = tiles > groups;
            float* origin = padded + (nint)band.FirstRow * layout.GridWidth;
            for (int tap0 = 0; tap0 < taps; tap0 += tapsPerPass)
            {
                int steps = Math.Min(tapsPerPass, taps - tap0);
                for (int i = 0; i < groups * tiles; i++)
                {
                    int group = tilesOuter ? i % groups : i / tiles, tile = tilesOuter ? i / groups : i % tiles;
                    int channel = band.FirstChannel + group * 6, rows = Math.Min(6, band.EndChannel - channel);
                    float* a = weight + (nint)channel * taps + tap0;
                    float* c = grid + (nint)group * 6 * band.Stride;
                    for (int column = tile * TileColumns; column < (tile + 1) * TileColumns; column += ImplicitGemmKernel<TLanes, TVector>.Columns)
                        ImplicitGemmKernel<TLanes, TVector>.Run(a, taps, rows, origin + column, offsets + tap0, steps, c + column, band.Stride, tap0 > 0);
                }
            }
        }

        /// <summary>A band's grid into the output (image <paramref name="sample"/>'s (C_out, oH, oW)) without the dropped columns, finished.</summary>
        private static void Compact(in ConvolutionGeometry g, in Layout layout, in Band band, float[] grid, in Finish finish,
            Span<float> output, int sample)
        {
            int width = g.Output.Width, rows = band.EndRow - band.FirstRow;
            for (int c = band.FirstChannel; c < band.EndChannel; c++)
            {
                var source = grid.AsSpan((c - band.FirstChannel) * band.Stride, rows * layout.GridWidth);
                int first = band.FirstRow * width;
                var target = output.Slice(c * g.Output.Product + first, rows * width);
                if (layout.GridWidth == width)
                {
                    finish.Apply(source, target, sample, c, first);
                    continue;
                }
                for (int row = 0; row < rows; row++)
                    finish.Apply(source.Slice(row * layout.GridWidth, width), target.Slice(row * width, width), sample, c, first + row * width);
            }
        }
    }
}
