namespace Fovea.Nn;

/// <summary>Which fan the Kaiming initialisation preserves: the forward pass's (fan_in) or the backward pass's (fan_out).</summary>
public enum FanMode
{
    FanIn,
    FanOut,
}

public static partial class Init
{
    /// <summary>
    /// He et al. (2015) uniform initialisation (torch.nn.init.kaiming_uniform_): U(-bound, bound) with
    /// bound = gain·√(3 / fan), gain = <see cref="CalculateGain"/>(nonlinearity, a), in place.
    /// <paramref name="a"/> is the negative slope of a following leaky ReLU (used only with "leaky_relu").
    /// </summary>
    public static Tensor KaimingUniform(Tensor tensor, float a = 0f, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu",
        Generator? generator = null)
    {
        float std = KaimingStd(tensor, a, mode, nonlinearity);
        if (tensor.Size == 0) return tensor;
        float bound = MathF.Sqrt(3f) * std;
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>He et al. (2015) normal initialisation (torch.nn.init.kaiming_normal_): N(0, (gain / √fan)²), in place.</summary>
    public static Tensor KaimingNormal(Tensor tensor, float a = 0f, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu",
        Generator? generator = null)
    {
        float std = KaimingStd(tensor, a, mode, nonlinearity);
        return tensor.Size == 0 ? tensor : Normal(tensor, 0f, std, generator);
    }

    private static float KaimingStd(Tensor tensor, float a, FanMode mode, string nonlinearity)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var (fanIn, fanOut) = Fans(tensor.Shape);
        int fan = mode switch
        {
            FanMode.FanIn => fanIn,
            FanMode.FanOut => fanOut,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), $"Unknown fan mode {mode}."),
        };
        float gain = CalculateGain(nonlinearity, a);
        // A tensor with a zero dimension has nothing to fill (PyTorch warns and returns it).
        return fan == 0 ? 0f : gain / MathF.Sqrt(fan);
    }
}
