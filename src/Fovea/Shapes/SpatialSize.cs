namespace Fovea;

/// <summary>
/// A per-spatial-dimension hyperparameter of a sliding window (kernel size, stride, dilation,
/// output padding...): one value for every spatial dimension (<c>stride: 2</c>) or one value per
/// dimension, outermost first (<c>stride: (2, 1)</c> for (H, W), <c>(1, 2, 2)</c> for (D, H, W)),
/// as PyTorch's int-or-tuple arguments. Immutable.
/// </summary>
public readonly struct SpatialSize : IEquatable<SpatialSize>
{
    private readonly int[]? values;

    public SpatialSize(params int[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0) throw new ArgumentException("A spatial size needs at least one value.", nameof(values));
        this.values = (int[])values.Clone();
    }

    /// <summary>Number of values given: 1 (shared by every dimension) or one per dimension.</summary>
    public int Count => Values.Length;
    public int this[int index] => Values[index];
    public ReadOnlySpan<int> Values => values ?? [];

    public static implicit operator SpatialSize(int value) => new(value);
    public static implicit operator SpatialSize((int Height, int Width) value) => new(value.Height, value.Width);
    public static implicit operator SpatialSize((int Depth, int Height, int Width) value) => new(value.Depth, value.Height, value.Width);
    public static implicit operator SpatialSize(int[] values) => new(values);

    /// <summary>
    /// One value per spatial dimension for a window of <paramref name="spatialRank"/> dimensions
    /// (a single value is repeated). Throws, naming <paramref name="argumentName"/>, when the count
    /// is neither 1 nor <paramref name="spatialRank"/> or a value is below <paramref name="minimum"/>.
    /// </summary>
    public int[] Expand(int spatialRank, string argumentName, int minimum = 1)
    {
        if (Count == 0)
            throw new ArgumentException($"{argumentName} has no values.", argumentName);
        if (Count != 1 && Count != spatialRank)
            throw new ArgumentException($"{argumentName} = {this} has {Count} values; a {spatialRank}-D window needs 1 or {spatialRank}.", argumentName);
        foreach (int value in Values)
            if (value < minimum)
                throw new ArgumentOutOfRangeException(argumentName, $"{argumentName} must be {(minimum == 1 ? "> 0" : $">= {minimum}")}, got {this}.");
        var expanded = new int[spatialRank];
        for (int i = 0; i < spatialRank; i++) expanded[i] = Count == 1 ? Values[0] : Values[i];
        return expanded;
    }

    public bool Equals(SpatialSize other) => Values.SequenceEqual(other.Values);
    public override bool Equals(object? obj) => obj is SpatialSize other && Equals(other);
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int value in Values) hash.Add(value);
        return hash.ToHashCode();
    }
    public static bool operator ==(SpatialSize a, SpatialSize b) => a.Equals(b);
    public static bool operator !=(SpatialSize a, SpatialSize b) => !a.Equals(b);

    /// <summary>"3" for a shared value, "(3, 1)" for one per dimension.</summary>
    public override string ToString() => Count == 1 ? Values[0].ToString(System.Globalization.CultureInfo.InvariantCulture) : Shape.Format(Values);
}
