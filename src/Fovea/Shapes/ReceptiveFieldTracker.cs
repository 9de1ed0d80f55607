namespace Fovea;

/// <summary>
/// Follows the receptive field and the jump of every tensor of one forward pass, per spatial dimension,
/// for <c>Module.Summary</c>. Tensors are identified by reference:
/// <list type="bullet">
/// <item>the model input has R = 1 and J = 1 in each spatial dimension (dims 2.. of (N, C, spatial...));</item>
/// <item>a window layer (<see cref="IWindowLayer"/>: convolution, pooling) applies
/// <see cref="ReceptiveField.Next"/> (or <see cref="ReceptiveField.NextTransposed"/>) to its input's R and J;</item>
/// <item>any other layer keeps its input's R and J when its output has the same spatial size (activations,
/// batch norm, dropout), and has none otherwise (Flatten, Linear: every output sees the whole input);</item>
/// <item>a tensor made by plain ops between layers (a residual sum, an Inception concat, F.Relu inside a
/// block) has no R of its own: the recorded autograd graph is walked back to the nearest tensors that have
/// one, and it takes their maximum R per dimension: parallel branches that meet count with their largest
/// field. Its J is the largest among those of exactly its spatial size; ancestors of size 1 in a dimension
/// (broadcast, e.g. squeeze-and-excitation scales) count for R only; an ancestor of any other size means an
/// op between layers changed the geometry (e.g. F.MaxPool2d called inside a block) and leaves R undefined.</item>
/// </list>
/// Undefined (null) propagates: a layer fed by a tensor without R has none. Spatial windows applied by
/// functional calls inside a module's own forward (not by a child layer) are not seen.
/// </summary>
internal sealed class ReceptiveFieldTracker
{
    /// <summary>R and J per spatial dimension.</summary>
    internal sealed record Field(int[] Size, int[] Jump);

    private readonly Dictionary<Tensor, Field?> fields = new(ReferenceEqualityComparer.Instance);
    private readonly int spatialRank;

    /// <param name="input">The model input (N, C, spatial...); a rank below 3 has no spatial dimensions and no fields.</param>
    public ReceptiveFieldTracker(Tensor input)
    {
        spatialRank = input.Rank - 2;
        fields[input] = spatialRank > 0 ? new Field(Ones(spatialRank), Ones(spatialRank)) : null;
    }

    /// <summary>Records and returns the field of the output of one call of a layer (a module without children).</summary>
    public Field? Layer(object layer, Tensor input, Tensor output)
    {
        var inputField = Of(input);
        Field? outputField = null;
        if (inputField is not null && HasSpatialRank(output))
        {
            if (layer is IWindowLayer windowLayer)
                outputField = windowLayer.WindowFor(input.Shape) is { } window && window.SpatialRank == spatialRank ? Apply(inputField, window) : null;
            else if (SpatialSize(input).SequenceEqual(SpatialSize(output)))
                outputField = inputField;
        }
        fields[output] = outputField;
        return outputField;
    }

    /// <summary>The field of <paramref name="tensor"/>: recorded, or derived from its nearest recorded ancestors.</summary>
    public Field? Of(Tensor tensor)
    {
        if (fields.TryGetValue(tensor, out var known)) return known;
        var derived = FromAncestors(tensor);
        fields[tensor] = derived;
        return derived;
    }

    private Field? FromAncestors(Tensor tensor)
    {
        if (!HasSpatialRank(tensor)) return null;
        var ancestors = new List<(Tensor Tensor, Field? Field)>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<Tensor>();
        pending.Push(tensor);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (!visited.Add(current)) continue;
            if (!ReferenceEquals(current, tensor) && fields.TryGetValue(current, out var recorded))
            {
                ancestors.Add((current, recorded));
                continue;
            }
            if (current.GradFn is { } node)
                foreach (var input in node.Inputs) pending.Push(input);
        }
        if (ancestors.Count == 0 || ancestors.Any(a => a.Field is null || !HasSpatialRank(a.Tensor))) return null;

        var size = SpatialSize(tensor);
        var field = new int[spatialRank];
        var jump = new int[spatialRank];
        foreach (var (ancestor, ancestorField) in ancestors)
        {
            var ancestorSize = SpatialSize(ancestor);
            for (int d = 0; d < spatialRank; d++)
            {
                if (ancestorSize[d] != size[d] && ancestorSize[d] != 1) return null;
                field[d] = Math.Max(field[d], ancestorField!.Size[d]);
                if (ancestorSize[d] == size[d]) jump[d] = Math.Max(jump[d], ancestorField.Jump[d]);
            }
        }
        return jump.Any(j => j == 0) ? null : new Field(field, jump);
    }

    private static Field? Apply(Field input, SlidingWindow window)
    {
        var field = new int[input.Size.Length];
        var jump = new int[input.Size.Length];
        for (int d = 0; d < field.Length; d++)
        {
            var previous = new ReceptiveFieldStep(input.Size[d], input.Jump[d]);
            var next = window.Transposed
                ? ReceptiveField.NextTransposed(previous, window.Kernel[d], window.Stride[d], window.Dilation[d])
                : ReceptiveField.Next(previous, window.Kernel[d], window.Stride[d], window.Dilation[d]);
            if (next is not { } step) return null;
            (field[d], jump[d]) = (step.Field, step.Jump);
        }
        return new Field(field, jump);
    }

    private bool HasSpatialRank(Tensor tensor) => spatialRank > 0 && tensor.Rank - 2 == spatialRank;
    private static int[] SpatialSize(Tensor tensor) => tensor.Shape.Dims[2..].ToArray();
    private static int[] Ones(int count) => Enumerable.Repeat(1, count).ToArray();
}
