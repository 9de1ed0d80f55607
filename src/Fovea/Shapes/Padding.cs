namespace Fovea;

/// <summary>
/// How a convolution or pooling window pads its input (MISSION.md §2):
/// <list type="bullet">
/// <item><see cref="Valid"/>: P = 0; an incomplete last window is dropped.</item>
/// <item><see cref="Same"/>: P_start = floor((S·ceil(I/S) − I + F − S)/2), P_end = ceil(...), clamped at 0;
/// the output has ceil(I/S) positions.</item>
/// <item><see cref="Full"/>: P_start = P_end = F − 1, so the filter sees the input end to end.</item>
/// <item>Explicit: the same P on both sides (<c>padding: 1</c>), one P per dimension
/// (<c>padding: (1, 2)</c>, as in PyTorch), or (start, end) pairs via <see cref="Asymmetric"/>.</item>
/// </list>
/// F is the effective filter size d·(F − 1) + 1 when the filter is dilated.
/// </summary>
public sealed class Padding
{
    public enum PaddingKind { Valid, Same, Full, Explicit }

    private readonly (int Start, int End)[] explicitPerDimension;

    private Padding(PaddingKind kind, (int Start, int End)[] perDimension)
    {
        Kind = kind;
        explicitPerDimension = perDimension;
    }

    public PaddingKind Kind { get; }

    public static Padding Valid { get; } = new(PaddingKind.Valid, []);
    public static Padding Same { get; } = new(PaddingKind.Same, []);
    public static Padding Full { get; } = new(PaddingKind.Full, []);

    /// <summary>Symmetric explicit padding: one value for every dimension, or one per dimension.</summary>
    public static Padding Explicit(params int[] perDimension)
    {
        ArgumentNullException.ThrowIfNull(perDimension);
        if (perDimension.Length == 0) throw new ArgumentException("padding needs at least one value.", "padding");
        return Asymmetric(perDimension.Select(p => (p, p)).ToArray());
    }

    /// <summary>(start, end) padding: one pair for every dimension, or one pair per dimension.</summary>
    public static Padding Asymmetric(params (int Start, int End)[] perDimension)
    {
        ArgumentNullException.ThrowIfNull(perDimension);
        if (perDimension.Length == 0) throw new ArgumentException("padding needs at least one (start, end) pair.", "padding");
        foreach (var (start, end) in perDimension)
            if (start < 0 || end < 0)
                throw new ArgumentOutOfRangeException("padding", $"padding must be >= 0, got ({start}, {end}).");
        return new Padding(PaddingKind.Explicit, ((int, int)[])perDimension.Clone());
    }

    public static implicit operator Padding(int padding) => Explicit(padding);
    public static implicit operator Padding((int Height, int Width) padding) => Explicit(padding.Height, padding.Width);
    public static implicit operator Padding((int Depth, int Height, int Width) padding) => Explicit(padding.Depth, padding.Height, padding.Width);

    /// <summary>Checks that explicit padding has 1 or <paramref name="spatialRank"/> entries.</summary>
    public void Validate(int spatialRank)
    {
        if (Kind == PaddingKind.Explicit && explicitPerDimension.Length != 1 && explicitPerDimension.Length != spatialRank)
            throw new ArgumentException($"padding has {explicitPerDimension.Length} entries; a {spatialRank}-D window needs 1 or {spatialRank}.", "padding");
    }

    /// <summary>
    /// (P_start, P_end) for spatial dimension <paramref name="dimension"/> of input size I, filter F,
    /// stride S and dilation d.
    /// </summary>
    public (int Start, int End) Resolve(int dimension, int input, int kernel, int stride, int dilation = 1)
    {
        int effectiveKernel = dilation * (kernel - 1) + 1;
        switch (Kind)
        {
            case PaddingKind.Valid:
                return (0, 0);
            case PaddingKind.Full:
                return (effectiveKernel - 1, effectiveKernel - 1);
            case PaddingKind.Same:
                {
                    int outputSize = (input + stride - 1) / stride;                  // ceil(I/S)
                    int total = Math.Max(0, stride * outputSize - input + effectiveKernel - stride);
                    return (total / 2, total - total / 2);                            // floor, ceil
                }
            default:
                return explicitPerDimension.Length == 1 ? explicitPerDimension[0] : explicitPerDimension[dimension];
        }
    }

    public override string ToString() => Kind switch
    {
        PaddingKind.Explicit => "(" + string.Join(", ", explicitPerDimension.Select(p => p.Start == p.End ? $"{p.Start}" : $"{p.Start}:{p.End}")) + ")",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
