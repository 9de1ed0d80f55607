using System.Runtime.CompilerServices;

namespace Fovea.Kernels.Cpu;

internal static partial class Convolution
{
    /// <summary>
    /// output = epilogue(weight ⊛ input): a convolution without bias whose output is finished by a
    /// <see cref="ConvolutionEpilogue"/> (per-channel scale and shift, optional residual, activation), e.g. a convolution
    /// with the eval-mode batch norm folded in. Layouts as <see cref="Forward"/>; the epilogue must have
    /// geometry.OutChannels channels and geometry.Output.Product positions, and its residual (if any) the output's size.
    /// output is overwritten. For now the convolution runs unfused and the epilogue is one more parallel pass over the
    /// output; a kernel may instead call <see cref="ConvolutionEpilogue.Apply(Span{float}, int, int, int)"/> on each run
    /// it writes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardWithEpilogue(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> weight,
        in ConvolutionEpilogue epilogue, Memory<float> output)
    {
        if (epilogue.Channels != geometry.OutChannels || epilogue.Positions != geometry.Output.Product)
            throw new ArgumentException($"The epilogue is for {epilogue.Channels} channels of {epilogue.Positions} positions, the convolution gives {geometry.OutChannels} of {geometry.Output.Product}.", nameof(epilogue));
        if (epilogue.HasResidual && epilogue.Residual.Length != geometry.OutputSize)
            throw new ArgumentException($"The epilogue's residual has {epilogue.Residual.Length} values, the output {geometry.OutputSize}.", nameof(epilogue));
        Forward(geometry, input, weight, ReadOnlyMemory<float>.Empty, output, ConvolutionActivation.None);
        epilogue.Apply(output, geometry.Batch);
    }
}
