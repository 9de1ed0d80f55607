using Fovea.Kernels.Cpu;

namespace Fovea;

// Elementwise selection (torch.where).
public sealed partial class Tensor
{
    /// <summary>
    /// x where <paramref name="condition"/> is nonzero, else y, with the three shapes broadcast together.
    /// condition: a 0/1 float tensor (e.g. from <see cref="Gt(float)"/>); it is not differentiated.
    /// Gradient: to x where the condition holds, to y elsewhere, summed back to each input's shape.
    /// </summary>
    public static Tensor Where(Tensor condition, Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var outShape = Broadcast.ResultShape(Broadcast.ResultShape(condition.Shape, x.Shape, "where"), y.Shape, "where");
        var mask = condition.BroadcastCopy(outShape);
        var output = NewStorage(outShape.Size);
        Selection.Where(mask.data, x.BroadcastCopy(outShape).data, y.BroadcastCopy(outShape).data, output);
        var (shapeX, shapeY) = (x.Shape, y.Shape);
        return Record(new Tensor(output, outShape), "where", [x, y], g =>
        {
            var zeros = new float[g.Size];
            Tensor? gradX = null, gradY = null;
            if (x.RequiresGrad)
            {
                var picked = NewStorage(g.Size);
                Selection.Where(mask.data, g.data, zeros, picked);
                gradX = new Tensor(picked, g.Shape).SumToShape(shapeX);
            }
            if (y.RequiresGrad)
            {
                var picked = NewStorage(g.Size);
                Selection.Where(mask.data, zeros, g.data, picked);
                gradY = new Tensor(picked, g.Shape).SumToShape(shapeY);
            }
            return [gradX, gradY];
        });
    }
}
