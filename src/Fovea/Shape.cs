namespace Fovea;

/// <summary>The dimensions of a tensor, outermost first (row-major). Immutable.</summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly int[]? dims;

    public Shape(params int[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        long size = 1;
        for (int i = 0; i < dimensions.Length; i++)
        {
            if (dimensions[i] < 0)
                throw new ArgumentOutOfRangeException(nameof(dimensions), $"Dimension {i} is {dimensions[i]} in {Format(dimensions)}; sizes must be >= 0.");
            size *= dimensions[i];
            if (size > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(dimensions), $"Shape {Format(dimensions)} has more than {int.MaxValue} elements.");
        }
        dims = (int[])dimensions.Clone();
    }

    public int Rank => dims?.Length ?? 0;
    public int this[int axis] => Dims[axis];
    /// <summary>Number of elements (1 for a scalar).</summary>
    public int Size
    {
        get
        {
            int size = 1;
            foreach (int d in Dims) size *= d;
            return size;
        }
    }
    public ReadOnlySpan<int> Dims => dims ?? [];
    public int[] ToArray() => Dims.ToArray();

    /// <summary>Row-major strides in elements.</summary>
    public int[] Strides()
    {
        var strides = new int[Rank];
        int stride = 1;
        for (int i = Rank - 1; i >= 0; i--) { strides[i] = stride; stride *= Dims[i]; }
        return strides;
    }

    /// <summary>Turns a possibly negative axis (-1 = last) into 0..Rank-1, or throws naming <paramref name="argumentName"/>.</summary>
    public int NormalizeAxis(int axis, string argumentName = "dim")
    {
        int rank = Rank;
        int normalized = axis < 0 ? axis + rank : axis;
        if (normalized < 0 || normalized >= Math.Max(rank, 1) || (rank == 0))
            throw new ArgumentOutOfRangeException(argumentName, $"{argumentName} = {axis} is out of range for a tensor of shape {this} (rank {rank}).");
        return normalized;
    }

    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int d in Dims) hash.Add(d);
        return hash.ToHashCode();
    }
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);
    public override string ToString() => Format(Dims);
    public static implicit operator Shape(int[] dimensions) => new(dimensions);

    internal static string Format(ReadOnlySpan<int> dims) => "(" + string.Join(", ", dims.ToArray()) + ")";
}
