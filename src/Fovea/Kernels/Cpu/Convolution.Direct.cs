using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fovea.Kernels.Cpu;

internal static partial class Convolution
{
    /// <summary>
    /// Direct forward convolution for layers with few input taps and few output channels (LeNet's first layer:
    /// 1 channel, 5x5, 6 filters), where lowering to GEMM spends more time writing the column matrix than
    /// multiplying (K = C_in·kH·kW is tiny). 2-D, stride 1, dilation 1, one group. Each image is first copied into
    /// a zero-padded scratch plane per channel, so that every tap is a plain (unaligned) vector load; then for every
    /// output row, two vectors of output columns of four output channels stay in eight accumulators while all the
    /// taps are added (one input load feeds four multiply-adds).
    /// </summary>
    internal static class Direct
    {
        /// <summary>Output channels per register block.</summary>
        private const int Block = 4;

        /// <summary>Whether the loop computes this convolution: 2-D, stride 1, dilation 1, one group.</summary>
        public static bool Computes(in ConvolutionGeometry g) =>
            g.Groups == 1 && g.Input.Depth == 1 && g.Output.Depth == 1 && g.Kernel.Depth == 1
            && g.Stride == new Extent3(1, 1, 1) && g.Dilation == new Extent3(1, 1, 1);

        /// <summary>Whether it beats the lowering: at most 32 taps per output (C_in·kH·kW) and at most 16 output channels.</summary>
        public static bool Pays(in ConvolutionGeometry g) => g.ColumnRows <= 32 && g.OutChannels <= 16;

        /// <summary>output = act(weight ⊛ input + bias) for a geometry <see cref="Computes"/> accepts. output is overwritten.</summary>
        public static void Forward(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> weight,
            ReadOnlyMemory<float> bias, Memory<float> output, ConvolutionActivation activation)
        {
            var g = geometry;
            int blocks = (g.OutChannels + Block - 1) / Block, taps = g.ColumnRows;
            // weights[block][tap][j] = weight[block·4 + j, tap] (0 past the last channel): a tap's four weights side by side.
            var packed = ArrayPool<float>.Shared.Rent(blocks * taps * Block);
            var biases = ArrayPool<float>.Shared.Rent(blocks * Block);
            try
            {
                var w = weight.Span;
                for (int co = 0; co < blocks * Block; co++)
                {
                    biases[co] = co < g.OutChannels && !bias.IsEmpty ? bias.Span[co] : 0f;
                    for (int t = 0; t < taps; t++)
                        packed[(co / Block * taps + t) * Block + co % Block] = co < g.OutChannels ? w[co * taps + t] : 0f;
                }
                int paddedHeight = g.Output.Height + g.Kernel.Height - 1, paddedWidth = g.Output.Width + g.Kernel.Width - 1;
                WorkSplit.For(g.Batch, (long)g.OutChannels * taps * g.Output.Product, (start, end) =>
                {
                    var scratch = ArrayPool<float>.Shared.Rent(g.InChannels * paddedHeight * paddedWidth);
                    try
                    {
                        for (int n = start; n < end; n++)
                        {
                            Pad(g, input.Span.Slice(n * g.InChannels * g.Input.Product, g.InChannels * g.Input.Product), scratch, paddedHeight, paddedWidth);
                            var target = output.Span.Slice(n * g.OutChannels * g.Output.Product, g.OutChannels * g.Output.Product);
                            for (int block = 0; block < blocks; block++)
                                OutputBlock(g, scratch, paddedHeight, paddedWidth, packed.AsSpan(block * taps * Block, taps * Block),
                                    biases.AsSpan(block * Block, Block), block * Block, target, activation);
                        }
                    }
                    finally { ArrayPool<float>.Shared.Return(scratch); }
                });
            }
            finally
            {
                ArrayPool<float>.Shared.Return(packed);
                ArrayPool<float>.Shared.Return(biases);
            }
        }

        /// <summary>padded[c, r, s] = input[c, r − padTop, s − padLeft], 0 outside the input: (C_in, oH + kH − 1, oW + kW − 1).</summary>
        private static void Pad(in ConvolutionGeometry g, ReadOnlySpan<float> image, float[] padded, int height, int width)
        {
            int top = g.PaddingStart.Height, left = g.PaddingStart.Width;
            var planes = padded.AsSpan(0, g.InChannels * height * width);
            planes.Clear();
            for (int c = 0; c < g.InChannels; c++)
                for (int ih = Math.Max(0, -top); ih < g.Input.Height && ih + top < height; ih++)
                {
                    int first = Math.Max(0, -left), count = Math.Min(g.Input.Width, width - left) - first;
                    if (count > 0)
                        image.Slice((c * g.Input.Height + ih) * g.Input.Width + first, count)
                            .CopyTo(planes.Slice((c * height + ih + top) * width + first + left, count));
                }
        }

        /// <summary>Output channels [firstChannel, firstChannel + 4) ∩ [0, C_out) of one image.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void OutputBlock(in ConvolutionGeometry g, float[] padded, int paddedHeight, int paddedWidth, ReadOnlySpan<float> weights,
            ReadOnlySpan<float> biases, int firstChannel, Span<float> output, ConvolutionActivation activation)
        {
            int width = g.Output.Width, height = g.Output.Height, kernelHeight = g.Kernel.Height, kernelWidth = g.Kernel.Width;
            int channels = Math.Min(Block, g.OutChannels - firstChannel), plane = g.Output.Product, lanes = Vector<float>.Count;
            bool relu = activation == ConvolutionActivation.Relu;
            ref float source = ref MemoryMarshal.GetArrayDataReference(padded);
            ref float w = ref MemoryMarshal.GetReference(weights);
            ref float target = ref MemoryMarshal.GetReference(output.Slice(firstChannel * plane));
            for (int oh = 0; oh < height; oh++)
            {
                int columns = 0;
                if (Vector.IsHardwareAccelerated && width >= 2 * lanes)
                {
                    // Two vectors of columns per step; the last step is flush with the row's end (overlap recomputes equal values).
                    for (int next = 0; next < width; next += 2 * lanes)
                    {
                        int ow = Math.Min(next, width - 2 * lanes);
                        Vector<float> a0 = new(biases[0]), a1 = new(biases[1]), a2 = new(biases[2]), a3 = new(biases[3]);
                        Vector<float> b0 = a0, b1 = a1, b2 = a2, b3 = a3;
                        int tap = 0;
                        for (int c = 0; c < g.InChannels; c++)
                            for (int kh = 0; kh < kernelHeight; kh++)
                            {
                                ref float row = ref Unsafe.Add(ref source, ((c * paddedHeight + oh + kh) * paddedWidth) + ow);
                                for (int kw = 0; kw < kernelWidth; kw++, tap++)
                                {
                                    var x0 = Vector.LoadUnsafe(ref row, (nuint)kw);
                                    var x1 = Vector.LoadUnsafe(ref row, (nuint)(kw + lanes));
                                    ref float tapWeights = ref Unsafe.Add(ref w, tap * Block);
                                    var w0 = new Vector<float>(tapWeights);
                                    var w1 = new Vector<float>(Unsafe.Add(ref tapWeights, 1));
                                    var w2 = new Vector<float>(Unsafe.Add(ref tapWeights, 2));
                                    var w3 = new Vector<float>(Unsafe.Add(ref tapWeights, 3));
                                    a0 = Vector.FusedMultiplyAdd(w0, x0, a0); b0 = Vector.FusedMultiplyAdd(w0, x1, b0);
                                    a1 = Vector.FusedMultiplyAdd(w1, x0, a1); b1 = Vector.FusedMultiplyAdd(w1, x1, b1);
                                    a2 = Vector.FusedMultiplyAdd(w2, x0, a2); b2 = Vector.FusedMultiplyAdd(w2, x1, b2);
                                    a3 = Vector.FusedMultiplyAdd(w3, x0, a3); b3 = Vector.FusedMultiplyAdd(w3, x1, b3);
                                }
                            }
                        int at = oh * width + ow;
                        StorePair(ref target, at, lanes, a0, b0, relu);
                        if (channels > 1) StorePair(ref Unsafe.Add(ref target, plane), at, lanes, a1, b1, relu);
                        if (channels > 2) StorePair(ref Unsafe.Add(ref target, 2 * plane), at, lanes, a2, b2, relu);
                        if (channels > 3) StorePair(ref Unsafe.Add(ref target, 3 * plane), at, lanes, a3, b3, relu);
                    }
                    columns = width;
                }
                for (int ow = columns; ow < width; ow++)
                    for (int j = 0; j < channels; j++)
                    {
                        float sum = biases[j];
                        int tap = 0;
                        for (int c = 0; c < g.InChannels; c++)
                            for (int kh = 0; kh < kernelHeight; kh++)
                                for (int kw = 0; kw < kernelWidth; kw++, tap++)
                                    sum += Unsafe.Add(ref w, tap * Block + j) * Unsafe.Add(ref source, (c * paddedHeight + oh + kh) * paddedWidth + ow + kw);
                        Unsafe.Add(ref target, j * plane + oh * width + ow) = relu ? Math.Max(sum, 0f) : sum;
                    }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StorePair(ref float row, int at, int lanes, Vector<float> first, Vector<float> second, bool relu)
        {
            if (relu)
            {
                first = Vector.Max(first, Vector<float>.Zero);
                second = Vector.Max(second, Vector<float>.Zero);
            }
            first.StoreUnsafe(ref row, (nuint)at);
            second.StoreUnsafe(ref row, (nuint)(at + lanes));
        }
    }
}
