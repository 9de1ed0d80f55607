using Fovea.Kernels.Cpu;

namespace Fovea;

// Elementwise comparisons (torch.eq, ne, lt, le, gt, ge). They return 0/1 float tensors and are not
// differentiable (nothing is recorded). Tensor-tensor forms broadcast.
public sealed partial class Tensor
{
    /// <summary>1 where this == other (broadcasting), else 0. NaN equals nothing.</summary>
    public Tensor Eq(Tensor other) => Compare(other, "eq", static (x, y) => x == y ? 1f : 0f);
    /// <summary>1 where this != other (broadcasting), else 0. NaN differs from everything.</summary>
    public Tensor Ne(Tensor other) => Compare(other, "ne", static (x, y) => x != y ? 1f : 0f);
    /// <summary>1 where this &lt; other (broadcasting), else 0.</summary>
    public Tensor Lt(Tensor other) => Compare(other, "lt", static (x, y) => x < y ? 1f : 0f);
    /// <summary>1 where this &lt;= other (broadcasting), else 0.</summary>
    public Tensor Le(Tensor other) => Compare(other, "le", static (x, y) => x <= y ? 1f : 0f);
    /// <summary>1 where this &gt; other (broadcasting), else 0.</summary>
    public Tensor Gt(Tensor other) => Compare(other, "gt", static (x, y) => x > y ? 1f : 0f);
    /// <summary>1 where this &gt;= other (broadcasting), else 0.</summary>
    public Tensor Ge(Tensor other) => Compare(other, "ge", static (x, y) => x >= y ? 1f : 0f);

    /// <summary>1 where this == value, else 0.</summary>
    public Tensor Eq(float value) => Compare(value, static (x, y) => x == y ? 1f : 0f);
    /// <summary>1 where this != value, else 0.</summary>
    public Tensor Ne(float value) => Compare(value, static (x, y) => x != y ? 1f : 0f);
    /// <summary>1 where this &lt; value, else 0.</summary>
    public Tensor Lt(float value) => Compare(value, static (x, y) => x < y ? 1f : 0f);
    /// <summary>1 where this &lt;= value, else 0.</summary>
    public Tensor Le(float value) => Compare(value, static (x, y) => x <= y ? 1f : 0f);
    /// <summary>1 where this &gt; value, else 0.</summary>
    public Tensor Gt(float value) => Compare(value, static (x, y) => x > y ? 1f : 0f);
    /// <summary>1 where this &gt;= value, else 0.</summary>
    public Tensor Ge(float value) => Compare(value, static (x, y) => x >= y ? 1f : 0f);

    private Tensor Compare(Tensor other, string opName, Func<float, float, float> test)
    {
        ArgumentNullException.ThrowIfNull(other);
        var outShape = Broadcast.ResultShape(Shape, other.Shape, opName);
        return new Tensor(BroadcastMap(this, other, outShape, test), outShape);
    }

    private Tensor Compare(float value, Func<float, float, float> test)
    {
        var output = NewStorage(Size);
        for (int i = 0; i < output.Length; i++) output[i] = test(data[i], value);
        return new Tensor(output, Shape);
    }

    /// <summary>f(a, b) over the broadcast index space <paramref name="outShape"/>, not recorded.</summary>
    internal static float[] BroadcastMap(Tensor a, Tensor b, Shape outShape, Func<float, float, float> f)
    {
        var output = NewStorage(outShape.Size);
        Broadcast.Binary(a.data, Broadcast.StridesIn(a.Shape, outShape), b.data, Broadcast.StridesIn(b.Shape, outShape), output, outShape, f);
        return output;
    }
}
