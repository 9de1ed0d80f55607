using System.Runtime.CompilerServices;

namespace Fovea.Kernels.Cpu;

internal static partial class Convolution
{
    /// <summary>
    /// output = epilogue(weight ⊛ input): a convolution without bias whose output is finished by a
    /// <see cref="ConvolutionEpilogue"/> (per-channel scale and shift, optional residual, activation), e.g. a convolution
    /// with the eval-mode batch norm folded in. Layouts as <see cref="Forward"/>; the epilogue must have
    /// geometry.OutChannels channels and geometry.Output.Product positions, and its residual (if any) the output's size.
    /// output is overwritten. The implicit kernel applies the epilogue to each output row it writes; on the other paths
    /// the epilogue is one more parallel pass over the output.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardWithEpilogue(in ConvolutionGeometry geometry, ReadOnlyMemory<float> input, ReadOnlyMemory<float> weight,
        in ConvolutionEpilogue epilogue, Memory<float> output)
    {
        if (epilogue.Channels != geometry.OutChannels || epilogue.Positions != geometry.Output.Product)
            throw new ArgumentException($"The epilogue is for {epilogue.Channels} channels of {epilogue.Positions} positions, the convolution gives {geometry.OutChannels} of {geometry.Output.Product}.", nameof(epilogue));
        if (epilogue.HasResidual && epilogue.Residual.Length != geometry.OutputSize)
            throw new ArgumentException($"The epilogue's residual has {epilogue.Residual.Length} values, the output {geometry.OutputSize}.", nameof(epilogue));
        if (ChooseForward(geometry) == ForwardPath.Implicit)
        {
            // The implicit kernel finishes each output row as it leaves its grid.
            Implicit.Forward(geometry, input, weight, epilogue, output);
            return;
        }
        Forward(geometry, input, weight, ReadOnlyMemory<float>.Empty, output, ConvolutionActivation.None);
        epilogue.Apply(output, geometry.Batch);
    }
}
