using Fovea.Nn;

namespace Fovea;

/// <summary>
/// Multiply-accumulate operations (MACs) of a layer's forward pass, counted as torchinfo counts its
/// "Mult-Adds", so that the totals can be compared with PyTorch's tooling (ResNet-18 at 1 x 3 x 224 x 224:
/// 1.81 G):
/// <list type="bullet">
/// <item>a window layer with parameters (a convolution or a transposed convolution): every parameter
/// element (weights and biases) once per output position, (F·F·C/groups + 1)·K · N · Π O_spatial;</item>
/// <item>any other layer with parameters (Linear, BatchNorm): every parameter element once per sample,
/// e.g. (N_in + 1)·N_out · N for Linear and 2C · N for BatchNorm;</item>
/// <item>layers without parameters (activations, pooling, dropout, flatten): 0.</item>
/// </list>
/// A bias is thus counted as one MAC, as torchinfo does. For a transposed convolution torchinfo's rule
/// counts the weights once per output position although each output position only receives about
/// 1/Π S of them; the count is kept for comparability (it overstates the work by up to Π S).
/// </summary>
public static class MultiplyAccumulates
{
    /// <summary>Convolution: (Π F · C/groups + bias)·K per output position, times N·Π O_spatial.</summary>
    public static long Convolution(int inChannels, int outChannels, IReadOnlyList<int> kernelSize, IReadOnlyList<int> outputSize,
        int groups = 1, bool bias = true, int batch = 1) =>
        checked(ParameterCounts.Convolution(inChannels, outChannels, kernelSize, groups, bias) * Positions(outputSize, kernelSize.Count, batch));

    /// <summary>Transposed convolution, by torchinfo's rule: every parameter once per output position (see the class notes).</summary>
    public static long TransposedConvolution(int inChannels, int outChannels, IReadOnlyList<int> kernelSize, IReadOnlyList<int> outputSize,
        int groups = 1, bool bias = true, int batch = 1) =>
        checked(ParameterCounts.TransposedConvolution(inChannels, outChannels, kernelSize, groups, bias) * Positions(outputSize, kernelSize.Count, batch));

    /// <summary>Fully connected: (N_in + bias)·N_out per sample.</summary>
    public static long Linear(int inFeatures, int outFeatures, bool bias = true, int batch = 1)
    {
        ParameterCounts.CheckPositive(batch, nameof(batch));
        return checked(ParameterCounts.Linear(inFeatures, outFeatures, bias) * batch);
    }

    /// <summary>Batch norm: 2C per sample when affine (torchinfo counts the scale and the shift), else 0.</summary>
    public static long BatchNorm(int numFeatures, bool affine = true, int batch = 1)
    {
        ParameterCounts.CheckPositive(batch, nameof(batch));
        return checked(ParameterCounts.BatchNorm(numFeatures, affine) * batch);
    }

    /// <summary>Pooling: 0 (no parameters; torchinfo counts no comparisons or additions).</summary>
    public static long Pooling() => 0;

    /// <summary>
    /// The MACs of one call of <paramref name="layer"/> (a module without children) that produced an
    /// output of shape <paramref name="output"/> (N, C, spatial...): the rules above, decided by whether the
    /// layer is an <see cref="IWindowLayer"/> and holds parameters.
    /// </summary>
    public static long Of(Module layer, Shape output)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (output.Rank == 0) return 0;
        long parameters = layer.ParameterCount();
        if (parameters == 0) return 0;
        long positions = output[0];
        if (layer is IWindowLayer)
            for (int axis = 2; axis < output.Rank; axis++) positions *= output[axis];
        return checked(parameters * positions);
    }

    private static long Positions(IReadOnlyList<int> outputSize, int spatialRank, int batch)
    {
        ArgumentNullException.ThrowIfNull(outputSize);
        ParameterCounts.CheckPositive(batch, nameof(batch));
        if (outputSize.Count != spatialRank)
            throw new ArgumentException($"outputSize {Shape.Format(outputSize.ToArray())} needs one value per spatial dimension of the kernel ({spatialRank}).", nameof(outputSize));
        long positions = batch;
        foreach (int o in outputSize)
        {
            if (o < 0) throw new ArgumentOutOfRangeException(nameof(outputSize), $"outputSize must be >= 0, got {Shape.Format(outputSize.ToArray())}.");
            positions = checked(positions * o);
        }
        return positions;
    }
}
