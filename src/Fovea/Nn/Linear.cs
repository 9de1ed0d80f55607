namespace Fovea.Nn;

/// <summary>
/// Fully connected layer (FC): y = x·Wᵀ + b. x: (N, in) or (..., in); weight: (out, in); bias: (out).
/// (N_in + 1)·N_out parameters with bias.
/// </summary>
public sealed class Linear : Module
{
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        if (inFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), $"inFeatures must be > 0, got {inFeatures}.");
        if (outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(outFeatures), $"outFeatures must be > 0, got {outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Tensor.Zeros(outFeatures, inFeatures));
        Bias = bias ? RegisterParameter("bias", Tensor.Zeros(outFeatures)) : null;
        Init.DefaultLayerInit(Weight, Bias, generator);
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    protected override Tensor OnForward(Tensor input) => F.Linear(input, Weight, Bias);
}
