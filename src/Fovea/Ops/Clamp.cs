using Fovea.Kernels.Cpu;

namespace Fovea;

// Clamping to a range (torch.clamp).
public sealed partial class Tensor
{
    /// <summary>
    /// Limits every element to [<paramref name="min"/>, <paramref name="max"/>]; either bound may be
    /// omitted, not both. NaN stays NaN; if min &gt; max every element becomes max (as torch.clamp).
    /// Gradient: passed through where min &lt;= x &lt;= max (bounds included, as in PyTorch), 0 elsewhere.
    /// </summary>
    public Tensor Clamp(float? min = null, float? max = null)
    {
        if (min is null && max is null) throw new ArgumentException("Clamp needs at least one of min and max.", nameof(min));
        float low = min ?? float.NegativeInfinity, high = max ?? float.PositiveInfinity;
        var output = NewStorage(Size);
        Clamping.Forward(data, low, high, output);
        var input = data;
        return Record(new Tensor(output, Shape), "clamp", [this], g =>
        {
            var grad = NewStorage(g.Size);
            Clamping.Backward(input, g.data, low, high, grad);
            return [new Tensor(grad, g.Shape)];
        });
    }
}
