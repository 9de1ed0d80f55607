namespace Fovea.Nn;

public static partial class Init
{
    /// <summary>
    /// Glorot and Bengio (2010) uniform initialisation (torch.nn.init.xavier_uniform_): U(-a, a) with
    /// a = gain·√(6 / (fan_in + fan_out)), in place.
    /// </summary>
    public static Tensor XavierUniform(Tensor tensor, float gain = 1f, Generator? generator = null)
    {
        float std = XavierStd(tensor, gain);
        if (tensor.Size == 0) return tensor;
        float bound = MathF.Sqrt(3f) * std;
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>Glorot and Bengio (2010) normal initialisation (torch.nn.init.xavier_normal_): N(0, gain²·2 / (fan_in + fan_out)), in place.</summary>
    public static Tensor XavierNormal(Tensor tensor, float gain = 1f, Generator? generator = null)
    {
        float std = XavierStd(tensor, gain);
        return tensor.Size == 0 ? tensor : Normal(tensor, 0f, std, generator);
    }

    private static float XavierStd(Tensor tensor, float gain)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var (fanIn, fanOut) = Fans(tensor.Shape);
        return fanIn + fanOut == 0 ? 0f : gain * MathF.Sqrt(2f / (fanIn + fanOut));
    }
}
