using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fovea.Kernels.Cpu;

internal static partial class Convolution
{
    /// <summary>
    /// Implicit-GEMM forward convolution for 2-D layers at small batch (inference on one image), where the lowering's
    /// column matrix and packed copies cost as much as the multiply: the deep layers of ResNet-18 at batch 1 multiply a
    /// large weight matrix by a column matrix only 49 to 196 positions wide, so packing the weights and the columns for
    /// each call is most of the work. Here nothing is packed:
    /// <list type="number">
    /// <item>each input channel is copied once into a zero-padded plane, split for stride 2 into its four phases (even/odd
    /// rows × even/odd columns), so that every kernel tap of every output position is one plain load;</item>
    /// <item>outputs are computed on a "grid" as wide as a phase plane (<see cref="Layout.GridWidth"/>): output (oh, ow)
    /// is grid position oh·GridWidth + ow, and tap (c, kh, kw) reads the phase plane of (kh mod s, kw mod s) at grid
    /// position + (kh / s)·GridWidth + kw / s. A tap therefore reads any run of consecutive grid positions as one run of
    /// consecutive floats: the micro-kernel's "B panel" is the padded input itself, addressed through a table of one
    /// offset per tap (<see cref="IImplicitGemmKernel"/>). The grid's extra columns (GridWidth − oW per row) are
    /// computed and dropped;</item>
    /// <item>the weights are read in place, (C_out, C_in·kH·kW) row-major, six output channels at a time;</item>
    /// <item>the grid is compacted into the output, adding the bias and the activation on the way.</item>
    /// </list>
    /// The work of one image is split over the workers by output channels when the weights are larger than the padded
    /// input (deep layers: each worker then reads only its share of the weights), otherwise by grid positions.
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

        /// <summary>Whether it beats the lowering: fewer images than workers (the lowering batches images into one wide GEMM).</summary>
        public static bool Pays(in ConvolutionGeometry g) => g.Batch < CpuThreads.Available || g.Batch == 1;

        /// <summary>output = act(weight ⊛ input + bias) for a geometry <see cref="Computes"/> accepts. output is overwritten.</summary>
        public static void Forward(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> weight,
            ReadOnlyMemory<float> bias, Memory<float> output, ConvolutionActivation activation)
        {
            switch (GemmBlocked.ActiveKernel)
            {
                case GemmKernel.Vector512: Run<ImplicitGemmKernel6x32>(geometry, input, weight, bias, output, activation); break;
                case GemmKernel.Vector256: Run<ImplicitGemmKernel6x16>(geometry, input, weight, bias, output, activation); break;
                default: Run<ImplicitGemmKernelScalar>(geometry, input, weight, bias, output, activation); break;
            }
        }

        /// <summary>
        /// Where the padded planes and the grid live. Padded input, per channel: s·s phase planes of PhaseHeight x GridWidth
        /// floats (plus slack, see <see cref="PhaseStride"/>); phase (pr, pc) holds padded input (i·s + pr, j·s + pc) at
        /// (i, j), padded input (r, q) being input (r − padTop, q − padLeft), 0 outside. Grid: (C_out, GridStride).
        /// </summary>
        internal readonly struct Layout
        {
            public Layout(in ConvolutionGeometry g)
            {
                Stride = g.Stride.Height;
                PhaseHeight = g.Output.Height + (g.Kernel.Height - 1) / Stride;
                GridWidth = g.Output.Width + (g.Kernel.Width - 1) / Stride;
                GridPositions = g.Output.Height * GridWidth;
                GridStride = (GridPositions + TileColumns - 1) / TileColumns * TileColumns;
                // The last tile reads up to GridStride − 1 + the largest tap offset ((PhaseHeight − oH)·GridWidth + (kW − 1)/s)
                // < PhaseHeight·GridWidth + TileColumns + (kW − 1)/s: slack after each plane keeps those reads inside it.
                PhaseStride = (PhaseHeight * GridWidth + TileColumns + (g.Kernel.Width - 1) / Stride + 15) / 16 * 16;
                ChannelStride = Stride * Stride * PhaseStride;
            }

            public int Stride { get; }
            public int PhaseHeight { get; }
            public int GridWidth { get; }
            /// <summary>oH·GridWidth: the grid positions that hold outputs (and dropped columns).</summary>
            public int GridPositions { get; }
            /// <summary>Grid positions rounded up to whole tiles: one output channel's row of the grid.</summary>
            public int GridStride { get; }
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

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe void Run<TKernel>(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> weight,
            ReadOnlyMemory<float> bias, Memory<float> output, ConvolutionActivation activation) where TKernel : struct, IImplicitGemmKernel
        {
            var g = geometry;
            var layout = new Layout(g);
            int taps = g.ColumnRows, rowGroups = (g.OutChannels + 5) / 6, tiles = layout.GridStride / TileColumns;
            int paddedFloats = g.InChannels * layout.ChannelStride, gridFloats = g.OutChannels * layout.GridStride;
            // Split one image by output channels when each worker would otherwise read all the weights, else by positions.
            bool byChannels = (long)g.OutChannels * taps >= paddedFloats;
            int threads = WorkSplit.Tasks(byChannels ? rowGroups : tiles, (long)taps * TileColumns * 6);
            int tasks = Math.Min(byChannels ? rowGroups : tiles, threads > 1 ? 2 * threads : 1);
            int padTasks = WorkSplit.Tasks(g.InChannels, layout.ChannelStride);
            var padded = ArrayPool<float>.Shared.Rent(paddedFloats);
            var grid = ArrayPool<float>.Shared.Rent(gridFloats);
            var offsets = ArrayPool<int>.Shared.Rent(taps);
            try
            {
                layout.TapOffsets(g, offsets);
                for (int n = 0; n < g.Batch; n++)
                {
                    var image = input.Slice(n * g.InChannels * g.Input.Product, g.InChannels * g.Input.Product);
                    ForTasks(padTasks, task =>
                    {
                        var (first, end) = WorkSplit.Range(g.InChannels, padTasks, task);
                        layout.Pad(g, image.Span, padded, first, end);
                    });
                    ForTasks(tasks, task =>
                    {
                        var (firstGroup, endGroup) = byChannels ? WorkSplit.Range(rowGroups, tasks, task) : (0, rowGroups);
                        var (firstTile, endTile) = byChannels ? (0, tiles) : WorkSplit.Range(tiles, tasks, task);
                        fixed (float* w = weight.Span, x = padded, y = grid)
                        fixed (int* o = offsets)
                            Block<TKernel>(g, layout, w, x, o, y, firstGroup, endGroup, firstTile, endTile);
                    });
                    var target = output.Slice(n * g.OutChannels * g.Output.Product, g.OutChannels * g.Output.Product);
                    WorkSplit.For(g.OutChannels, g.Output.Product, (first, end) =>
                        Compact(g, layout, grid, bias.Span, target.Span, first, end, activation));
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(padded);
                ArrayPool<float>.Shared.Return(grid);
                ArrayPool<int>.Shared.Return(offsets);
            }
        }

        private static void ForTasks(int tasks, Action<int> body)
        {
            if (tasks <= 1) body(0);
            else CpuThreads.For(tasks, body);
        }

        /// <summary>
        /// Grid rows of output channels [6·firstGroup, 6·endGroup) ∩ [0, C_out), tiles [firstTile, endTile): the taps in passes
        /// of <see cref="TapsPerPass"/> (whole input channels), each pass adding to what the previous ones left in the grid.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe void Block<TKernel>(in ConvolutionGeometry g, in Layout layout, float* weight, float* padded, int* offsets,
            float* grid, int firstGroup, int endGroup, int firstTile, int endTile) where TKernel : struct, IImplicitGemmKernel
        {
            int taps = g.ColumnRows, perChannel = g.Kernel.Height * g.Kernel.Width;
            int tapsPerPass = Math.Max(1, TapsPerPass / perChannel) * perChannel;
            for (int tap0 = 0; tap0 < taps; tap0 += tapsPerPass)
            {
                int steps = Math.Min(tapsPerPass, taps - tap0);
                for (int group = firstGroup; group < endGroup; group++)
                {
                    int channel = group * 6, rows = Math.Min(6, g.OutChannels - channel);
                    float* a = weight + (nint)channel * taps + tap0;
                    float* c = grid + (nint)channel * layout.GridStride;
                    for (int tile = firstTile; tile < endTile; tile++)
                        for (int column = tile * TileColumns; column < (tile + 1) * TileColumns; column += TKernel.Columns)
                            TKernel.Run(a, taps, rows, padded + column, offsets + tap0, steps, c + column, layout.GridStride, tap0 > 0);
                }
            }
        }

        /// <summary>Output channels [first, end) of one image: grid rows without their dropped columns, plus bias, then activation.</summary>
        private static void Compact(in ConvolutionGeometry g, in Layout layout, float[] grid, ReadOnlySpan<float> bias, Span<float> output,
            int first, int end, ConvolutionActivation activation)
        {
            int width = g.Output.Width, plane = g.Output.Product;
            for (int c = first; c < end; c++)
            {
                var source = grid.AsSpan(c * layout.GridStride, layout.GridPositions);
                var target = output.Slice(c * plane, plane);
                float b = bias.IsEmpty ? 0f : bias[c];
                if (layout.GridWidth == width)
                {
                    Epilogue.BiasActivation(source[..plane], target, b, activation);
                    continue;
                }
                for (int oh = 0; oh < g.Output.Height; oh++)
                    Epilogue.BiasActivation(source.Slice(oh * layout.GridWidth, width), target.Slice(oh * width, width), b, activation);
            }
        }
    }
}
