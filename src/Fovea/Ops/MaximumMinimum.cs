namespace Fovea;

// Elementwise maximum and minimum of two tensors (torch.maximum / torch.minimum).
public sealed partial class Tensor
{
    /// <summary>
    /// Elementwise larger of <paramref name="a"/> and <paramref name="b"/>, with broadcasting; NaN
    /// propagates. Gradient as PyTorch: to the larger input, split in half on ties.
    /// </summary>
    public static Tensor Maximum(Tensor a, Tensor b) => Extreme(a, b, "maximum", MathF.Max, static (x, y) => x < y);

    /// <summary>Elementwise smaller of a and b; see <see cref="Maximum"/>.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => Extreme(a, b, "minimum", MathF.Min, static (x, y) => x > y);

    /// <summary><paramref name="loses"/>(x, y): x is not picked (so its gradient is 0).</summary>
    private static Tensor Extreme(Tensor a, Tensor b, string opName, Func<float, float, float> pick, Func<float, float, bool> loses)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var (sa, sb) = (a.Detach(), b.Detach());
        // PyTorch's weights: 1 to the winner, 1/2 to each on a tie, 0 to the loser.
        float Share(float x, float y) => x == y ? 0.5f : loses(x, y) ? 0f : 1f;
        return BinaryBroadcast(opName, a, b, pick,
            g => g * new Tensor(BroadcastMap(sa, sb, g.Shape, Share), g.Shape),
            g => g * new Tensor(BroadcastMap(sb, sa, g.Shape, Share), g.Shape));
    }
}
