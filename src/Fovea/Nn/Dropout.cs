namespace Fovea.Nn;

/// <summary>
/// Inverted dropout: in training mode zeroes each element with probability <see cref="P"/> and scales the
/// rest by 1/(1 − p); in eval mode the identity. Masks come from the given generator (reproducible) or
/// <see cref="Generator.Default"/>.
/// </summary>
public sealed class Dropout : Module
{
    private readonly Generator? generator;

    public Dropout(float p = 0.5f, Generator? generator = null)
    {
        F.CheckDropoutProbability(p);
        P = p;
        this.generator = generator;
    }

    public float P { get; }

    /// <summary>The generator of the masks, or null for <see cref="Generator.Default"/> (trainers save its state in checkpoints).</summary>
    public Generator? Generator => generator;
    protected override Tensor OnForward(Tensor input) => F.Dropout(input, P, Training, generator);
    public override string ToString() => $"Dropout(p={P})";
}
