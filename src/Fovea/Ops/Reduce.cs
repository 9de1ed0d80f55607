namespace Fovea;

// Reductions over all elements.
public sealed partial class Tensor
{
    /// <summary>Sum of all elements, as a scalar tensor (accumulated in double).</summary>
    public Tensor Sum()
    {
        double total = 0;
        foreach (float v in data) total += v;
        var result = new Tensor([(float)total], new Shape());
        var shape = Shape;
        return Record(result, "sum", [this], g => [Full(shape, g.data[0])]);
    }

    /// <summary>Mean of all elements, as a scalar tensor.</summary>
    public Tensor Mean()
    {
        if (Size == 0) throw new InvalidOperationException("Mean() of an empty tensor.");
        return Sum() * (1f / Size);
    }
}
