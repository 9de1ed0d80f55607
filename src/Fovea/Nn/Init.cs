namespace Fovea.Nn;

/// <summary>Weight initialisation (torch.nn.init). Every function takes an optional seeded generator.</summary>
public static partial class Init
{
    /// <summary>(fan_in, fan_out) of a weight: dim 1 and dim 0 times the receptive field (dims 2..).</summary>
    public static (int FanIn, int FanOut) Fans(Shape shape)
    {
        if (shape.Rank < 2) throw new ArgumentException($"Fan in and fan out need a tensor of rank >= 2, got shape {shape}.", nameof(shape));
        int receptive = 1;
        for (int i = 2; i < shape.Rank; i++) receptive *= shape[i];
        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>Fills with U(low, high), in place, unrecorded.</summary>
    public static Tensor Uniform(Tensor tensor, float low, float high, Generator? generator = null)
    {
        var g = generator ?? Generator.Default;
        var span = tensor.Span;
        for (int i = 0; i < span.Length; i++) span[i] = low + (high - low) * g.NextFloat();
        return tensor;
    }

    /// <summary>Fills with N(mean, std²), in place, unrecorded.</summary>
    public static Tensor Normal(Tensor tensor, float mean = 0f, float std = 1f, Generator? generator = null)
    {
        var g = generator ?? Generator.Default;
        var span = tensor.Span;
        for (int i = 0; i < span.Length; i++) span[i] = mean + std * (float)g.NextNormal();
        return tensor;
    }

    public static Tensor Constant(Tensor tensor, float value) { tensor.Span.Fill(value); return tensor; }

    /// <summary>
    /// PyTorch's default for Conv and Linear: weight ~ kaiming_uniform(a = √5), i.e. U(±1/√fan_in),
    /// and bias ~ U(±1/√fan_in).
    /// </summary>
    public static void DefaultLayerInit(Tensor weight, Tensor? bias, Generator? generator = null)
    {
        var (fanIn, _) = Fans(weight.Shape);
        float bound = fanIn > 0 ? 1f / MathF.Sqrt(fanIn) : 0f;
        Uniform(weight, -bound, bound, generator);
        if (bias is not null) Uniform(bias, -bound, bound, generator);
    }
}
