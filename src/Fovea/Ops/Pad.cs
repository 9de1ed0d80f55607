namespace Fovea;

/// <summary>How <see cref="Tensor.Pad(int[], PadMode, float)"/> fills the new border (torch.nn.functional.pad's modes).</summary>
public enum PadMode
{
    /// <summary>A constant value (zero by default).</summary>
    Constant,
    /// <summary>The mirror image without repeating the edge: [a b c d] padded by 2 -> [c b | a b c d | c b].</summary>
    Reflect,
    /// <summary>The edge value repeated: [a b c d] padded by 2 -> [a a | a b c d | d d].</summary>
    Replicate,
}

// Padding (torch.nn.functional.pad).
public sealed partial class Tensor
{
    /// <summary>Constant padding; see <see cref="Pad(int[], PadMode, float)"/>.</summary>
    public Tensor Pad(int[] pad, float value = 0f) => Pad(pad, PadMode.Constant, value);

    /// <summary>
    /// Pads the last pad.Length / 2 dimensions, with torch.nn.functional.pad's layout: pairs
    /// (before, after) starting from the LAST dimension, i.e. [left, right] pads the last dimension and
    /// [left, right, top, bottom] the last two. E.g. x: (N, C, H, W) with pad [1, 2, 0, 3] -> (N, C, H + 3, W + 3).
    /// A negative amount crops. Reflect needs each amount smaller than the dimension; replicate needs a
    /// non-empty dimension. <paramref name="value"/> is only for <see cref="PadMode.Constant"/>.
    /// Unlike PyTorch, reflect and replicate work on any rank and any number of padded dimensions.
    /// Gradient: constant mode crops the output gradient; reflect and replicate also add the gradient of
    /// every border copy onto the element it copies.
    /// </summary>
    public Tensor Pad(int[] pad, PadMode mode, float value = 0f)
    {
        ArgumentNullException.ThrowIfNull(pad);
        if (pad.Length % 2 != 0 || pad.Length / 2 > Rank)
            throw new ArgumentException($"Pad: pad {Shape.Format(pad)} must hold (before, after) pairs, at most one per dimension of shape {Shape}.", nameof(pad));
        if (mode != PadMode.Constant && value != 0f)
            throw new ArgumentException($"Pad: mode {mode} takes no fill value (got {value}).", nameof(value));
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), $"Pad: unknown mode {mode}.");

        // Validate every dimension before any work, then pad one dimension at a time.
        var maps = new List<(int Axis, int[] Indices)>();
        for (int pair = 0; pair < pad.Length / 2; pair++)
        {
            int axis = Rank - 1 - pair, before = pad[2 * pair], after = pad[2 * pair + 1], size = Shape[axis];
            long outSize = (long)size + before + after;
            if (outSize < 0)
                throw new ArgumentException($"Pad: pad ({before}, {after}) crops dimension {axis} of shape {Shape} below size 0.", nameof(pad));
            if (mode == PadMode.Reflect && (before >= size || after >= size))
                throw new ArgumentException($"Pad: reflect padding ({before}, {after}) must be smaller than dimension {axis} of shape {Shape}.", nameof(pad));
            if (mode == PadMode.Replicate && size == 0 && outSize > 0)
                throw new ArgumentException($"Pad: replicate padding needs a non-empty dimension {axis}, shape {Shape}.", nameof(pad));
            if (before != 0 || after != 0) maps.Add((axis, SourcePositions(size, before, (int)outSize, mode)));
        }
        var result = this;
        foreach (var (axis, indices) in maps) result = result.IndexAlongAxis(axis, indices, value, "pad");
        return ReferenceEquals(result, this) ? Clone() : result;
    }

    /// <summary>For each output position q of a padded dimension, the input position it copies (-1: fill).</summary>
    private static int[] SourcePositions(int size, int before, int outSize, PadMode mode)
    {
        var indices = new int[outSize];
        for (int q = 0; q < outSize; q++)
        {
            int p = q - before;
            indices[q] = mode switch
            {
                PadMode.Reflect => p < 0 ? -p : p >= size ? 2 * (size - 1) - p : p,
                PadMode.Replicate => Math.Clamp(p, 0, size - 1),
                _ => p >= 0 && p < size ? p : -1,
            };
        }
        return indices;
    }
}

public static partial class F
{
    /// <summary>torch.nn.functional.pad; see <see cref="Tensor.Pad(int[], PadMode, float)"/>.</summary>
    public static Tensor Pad(Tensor input, int[] pad, PadMode mode = PadMode.Constant, float value = 0f)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Pad(pad, mode, value);
    }
}
