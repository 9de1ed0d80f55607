namespace Fovea;

// Sign (torch.sign).
public sealed partial class Tensor
{
    /// <summary>
    /// −1, 0 or 1 by the sign of each element; 0 for ±0 and for NaN, as torch.sign on the CPU.
    /// Its gradient is 0 everywhere (as in PyTorch).
    /// </summary>
    public Tensor Sign() => Unary("sign", static x => x > 0 ? 1f : x < 0 ? -1f : 0f, static (x, y) => 0f);
}
