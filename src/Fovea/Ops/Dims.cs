namespace Fovea;

// Shared helpers for ops that work along chosen dimensions.
public sealed partial class Tensor
{
    /// <summary>
    /// The (outer, n, inner) view of <paramref name="shape"/> around <paramref name="axis"/>: outer is the
    /// product of the sizes before it, n its size, inner the product of the sizes after it; element
    /// (o, p, i) lies at (o·n + p)·inner + i.
    /// </summary>
    internal static (int Outer, int Size, int Inner) AxisLayout(Shape shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Rank; i++) inner *= shape[i];
        return (outer, shape[axis], inner);
    }

    /// <summary><paramref name="shape"/> with dimension <paramref name="axis"/> set to <paramref name="size"/>.</summary>
    internal static Shape WithDim(Shape shape, int axis, int size)
    {
        var dims = shape.ToArray();
        dims[axis] = size;
        return new Shape(dims);
    }

    /// <summary>
    /// Which axes <paramref name="dims"/> names (negative counts from the end). An empty list names every
    /// axis, as torch.sum(x, dim=[]) does. A dimension named twice throws.
    /// </summary>
    private bool[] SelectedAxes(int[] dims, string argumentName)
    {
        ArgumentNullException.ThrowIfNull(dims, argumentName);
        var selected = new bool[Rank];
        if (dims.Length == 0)
        {
            Array.Fill(selected, true);
            return selected;
        }
        foreach (int dim in dims)
        {
            int axis = Shape.NormalizeAxis(dim, argumentName);
            if (selected[axis])
                throw new ArgumentException($"{argumentName} {Shape.Format(dims)} names dimension {axis} more than once (shape {Shape}).", argumentName);
            selected[axis] = true;
        }
        return selected;
    }

    /// <summary>The shape after reducing the selected axes: each becomes 1 (keepDim) or is removed.</summary>
    private static Shape ReducedShape(Shape shape, bool[] reduced, bool keepDim)
    {
        var dims = new List<int>();
        for (int axis = 0; axis < shape.Rank; axis++)
        {
            if (!reduced[axis]) dims.Add(shape[axis]);
            else if (keepDim) dims.Add(1);
        }
        return new Shape([.. dims]);
    }

    /// <summary>
    /// Reads a float tensor holding integer indices, checking that each is a whole number in [0, size).
    /// <paramref name="context"/> says what is indexed, for the error message.
    /// </summary>
    internal static int[] ToIndices(ReadOnlySpan<float> values, int size, string argumentName, string context)
    {
        var indices = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (v != MathF.Floor(v))
                throw new ArgumentException($"{argumentName} must hold whole numbers, but element {i} is {v}.", argumentName);
            if (!(v >= 0 && v < size))
                throw new ArgumentOutOfRangeException(argumentName, $"{argumentName}[{i}] = {v} is out of range for {context} (valid: 0..{size - 1}).");
            indices[i] = (int)v;
        }
        return indices;
    }

    /// <summary>This tensor's elements repeated into <paramref name="target"/> by broadcasting (not recorded).</summary>
    internal Tensor BroadcastCopy(Shape target)
    {
        if (target == Shape) return this;
        var output = NewStorage(target.Size);
        Kernels.Cpu.StridedCopy.Copy(data, Kernels.Cpu.Broadcast.StridesIn(Shape, target), output, target);
        return new Tensor(output, target);
    }
}
