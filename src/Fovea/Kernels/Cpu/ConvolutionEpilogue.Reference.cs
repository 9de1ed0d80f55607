namespace Fovea.Kernels.Cpu;

internal readonly partial struct ConvolutionEpilogue
{
    /// <summary>
    /// The epilogue in plain loops, single-threaded: what <see cref="ConvolutionEpilogue.Apply(Memory{float}, int)"/> and
    /// <see cref="ConvolutionEpilogue.Apply(Span{float}, int, int, int)"/> are tested against.
    /// </summary>
    internal static class Reference
    {
        /// <summary>output[n, c, p] = act(output[n, c, p]·scale[c] + shift[c] (+ residual[n, c, p])). output: (batch, C, positions).</summary>
        public static void Apply(in ConvolutionEpilogue epilogue, Span<float> output, int batch)
        {
            var scale = epilogue.Scale.Span;
            var shift = epilogue.Shift.Span;
            var residual = epilogue.Residual.Span;
            for (int n = 0; n < batch; n++)
                for (int c = 0; c < epilogue.Channels; c++)
                    for (int p = 0; p < epilogue.Positions; p++)
                    {
                        int index = (n * epilogue.Channels + c) * epilogue.Positions + p;
                        float scaled = output[index] * scale[c];
                        float value = scaled + shift[c];
                        if (epilogue.HasResidual) value += residual[index];
                        if (epilogue.Activation == ConvolutionActivation.Relu) value = MathF.Max(value, 0f);
                        output[index] = value;
                    }
        }
    }
}
