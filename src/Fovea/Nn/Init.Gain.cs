namespace Fovea.Nn;

public static partial class Init
{
    private static readonly string[] LinearNonlinearities =
        ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid"];

    /// <summary>
    /// The recommended gain for a nonlinearity (torch.nn.init.calculate_gain), with PyTorch's names: linear,
    /// conv1d/2d/3d, conv_transpose1d/2d/3d and sigmoid give 1; tanh 5/3; relu √2; leaky_relu √(2 / (1 + slope²))
    /// with slope <paramref name="param"/> (default 0.01); selu 3/4.
    /// </summary>
    public static float CalculateGain(string nonlinearity, float? param = null)
    {
        ArgumentNullException.ThrowIfNull(nonlinearity);
        if (LinearNonlinearities.Contains(nonlinearity)) return 1f;
        switch (nonlinearity)
        {
            case "tanh": return 5f / 3f;
            case "relu": return MathF.Sqrt(2f);
            case "selu": return 3f / 4f;
            case "leaky_relu":
                float slope = param ?? 0.01f;
                if (!float.IsFinite(slope)) throw new ArgumentOutOfRangeException(nameof(param), $"negative_slope {slope} is not a valid number.");
                return (float)Math.Sqrt(2.0 / (1 + (double)slope * slope));
            default:
                throw new ArgumentException($"Unsupported nonlinearity '{nonlinearity}'. Supported: {string.Join(", ", LinearNonlinearities)}, tanh, relu, leaky_relu, selu.",
                    nameof(nonlinearity));
        }
    }

    /// <summary>Fills with 0, in place, unrecorded.</summary>
    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0f);

    /// <summary>Fills with 1, in place, unrecorded.</summary>
    public static Tensor Ones(Tensor tensor) => Constant(tensor, 1f);
}
