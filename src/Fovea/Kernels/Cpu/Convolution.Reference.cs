namespace Fovea.Kernels.Cpu;

internal static partial class Convolution
{
    /// <summary>
    /// Reference convolution kernels, lowered to GEMM per sample and group (vol2col + matrix product),
    /// single-threaded and plain: the fast kernels of <see cref="Convolution"/> are tested against these.
    /// Layouts (row-major): input (N, C_in, D, H, W), weight (C_out, C_in/groups, kD, kH, kW),
    /// output (N, C_out, oD, oH, oW); see <see cref="ConvolutionGeometry"/> for the canonical 3-D form.
    /// The workspace holds one group's column matrix (<see cref="ConvolutionGeometry.WorkspaceSize"/> floats).
    /// Transposed convolution reuses these: its forward pass is <see cref="BackwardData"/>.
    /// </summary>
    internal static class Reference
    {
        /// <summary>output = weight ⊛ input (no bias). output is overwritten.</summary>
        public static void Forward(in ConvolutionGeometry geometry, ReadOnlySpan<float> input, ReadOnlySpan<float> weight,
            Span<float> output, Span<float> workspace)
        {
            var (inputGroup, outputGroup, weightGroup, rows, positions, outPerGroup) = Strides(geometry);
            var columns = workspace[..geometry.WorkspaceSize];
            for (int n = 0; n < geometry.Batch; n++)
            for (int group = 0; group < geometry.Groups; group++)
            {
                int sampleGroup = n * geometry.Groups + group;
                VolumeColumns.Reference.VolumeToColumns(geometry, input.Slice(sampleGroup * inputGroup, inputGroup), columns);
                // (C_out/g, rows) · (rows, positions) -> (C_out/g, positions)
                Multiply(false, false, outPerGroup, positions, rows, weight.Slice(group * weightGroup, weightGroup), rows,
                    columns, positions, 0f, output.Slice(sampleGroup * outputGroup, outputGroup), positions);
            }
        }

        /// <summary>gradInput = the adjoint of <see cref="Forward"/> applied to gradOutput. gradInput is overwritten.</summary>
        public static void BackwardData(in ConvolutionGeometry geometry, ReadOnlySpan<float> gradOutput, ReadOnlySpan<float> weight,
            Span<float> gradInput, Span<float> workspace)
        {
            var (inputGroup, outputGroup, weightGroup, rows, positions, outPerGroup) = Strides(geometry);
            var columns = workspace[..geometry.WorkspaceSize];
            gradInput[..geometry.InputSize].Clear();
            for (int n = 0; n < geometry.Batch; n++)
            for (int group = 0; group < geometry.Groups; group++)
            {
                int sampleGroup = n * geometry.Groups + group;
                // (C_out/g, rows)ᵀ · (C_out/g, positions) -> (rows, positions)
                Multiply(true, false, rows, positions, outPerGroup, weight.Slice(group * weightGroup, weightGroup), rows,
                    gradOutput.Slice(sampleGroup * outputGroup, outputGroup), positions, 0f, columns, positions);
                VolumeColumns.Reference.ColumnsToVolume(geometry, columns, gradInput.Slice(sampleGroup * inputGroup, inputGroup));
            }
        }

        /// <summary>gradWeight = Σ_n gradOutput_n · columns(input_n)ᵀ per group. gradWeight is overwritten.</summary>
        public static void BackwardWeight(in ConvolutionGeometry geometry, ReadOnlySpan<float> input, ReadOnlySpan<float> gradOutput,
            Span<float> gradWeight, Span<float> workspace)
        {
            var (inputGroup, outputGroup, weightGroup, rows, positions, outPerGroup) = Strides(geometry);
            var columns = workspace[..geometry.WorkspaceSize];
            gradWeight[..geometry.WeightSize].Clear();
            for (int n = 0; n < geometry.Batch; n++)
            for (int group = 0; group < geometry.Groups; group++)
            {
                int sampleGroup = n * geometry.Groups + group;
                VolumeColumns.Reference.VolumeToColumns(geometry, input.Slice(sampleGroup * inputGroup, inputGroup), columns);
                // (C_out/g, positions) · (rows, positions)ᵀ -> (C_out/g, rows), accumulated over the batch
                Multiply(false, true, outPerGroup, rows, positions, gradOutput.Slice(sampleGroup * outputGroup, outputGroup), positions,
                    columns, positions, 1f, gradWeight.Slice(group * weightGroup, weightGroup), rows);
            }
        }

        /// <summary>output[n, c, ...] += bias[c]. output: (N, C, positions).</summary>
        public static void AddBias(ReadOnlySpan<float> bias, Span<float> output, int batch, int channels, int positions)
        {
            for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
            {
                var plane = output.Slice((n * channels + c) * positions, positions);
                float value = bias[c];
                for (int i = 0; i < plane.Length; i++) plane[i] += value;
            }
        }

        /// <summary>gradBias[c] = Σ_{n, positions} gradOutput[n, c, ...] (accumulated in double). gradOutput: (N, C, positions).</summary>
        public static void BiasGradient(ReadOnlySpan<float> gradOutput, Span<float> gradBias, int batch, int channels, int positions)
        {
            for (int c = 0; c < channels; c++)
            {
                double sum = 0;
                for (int n = 0; n < batch; n++)
                    foreach (float value in gradOutput.Slice((n * channels + c) * positions, positions)) sum += value;
                gradBias[c] = (float)sum;
            }
        }

        /// <summary>
        /// Sizes of one sample-group slice of input, output and weight, and the GEMM dimensions.
        /// Channels of a group are contiguous in NC... layouts, so sample n, group g starts at (n·groups + g)·slice.
        /// </summary>
        private static (int InputGroup, int OutputGroup, int WeightGroup, int Rows, int Positions, int OutPerGroup) Strides(in ConvolutionGeometry geometry) =>
            (geometry.InChannelsPerGroup * geometry.Input.Product,
             geometry.OutChannelsPerGroup * geometry.Output.Product,
             geometry.OutChannelsPerGroup * geometry.ColumnRows,
             geometry.ColumnRows,
             geometry.ColumnCount,
             geometry.OutChannelsPerGroup);

        /// <summary>
        /// The single GEMM call site of the reference kernels (C = alpha·op(A)·op(B) + beta·C): the triple-loop
        /// <see cref="Gemm.Reference"/>, so that these kernels share no fast code with the ones tested against them.
        /// </summary>
        private static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, ReadOnlySpan<float> a, int lda,
            ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
            Gemm.Reference(transposeA, transposeB, m, n, k, 1f, a, lda, b, ldb, beta, c, ldc);
    }
}
