namespace Fovea;

// Adding and removing size-1 dimensions (views: they share storage, like Reshape).
public sealed partial class Tensor
{
    /// <summary>
    /// Inserts a dimension of size 1 at position <paramref name="dim"/>, which may range over
    /// [-(rank + 1), rank] (negative counts from the end of the result). E.g. (3, 4).Unsqueeze(0) -> (1, 3, 4),
    /// (3, 4).Unsqueeze(-1) -> (3, 4, 1).
    /// </summary>
    public Tensor Unsqueeze(int dim)
    {
        int axis = dim < 0 ? dim + Rank + 1 : dim;
        if (axis < 0 || axis > Rank)
            throw new ArgumentOutOfRangeException(nameof(dim), $"Unsqueeze: dim = {dim} is out of range for a tensor of shape {Shape} (valid: {-(Rank + 1)}..{Rank}).");
        var dims = Shape.ToArray().ToList();
        dims.Insert(axis, 1);
        return Reshape([.. dims]);
    }

    /// <summary>
    /// Removes dimension <paramref name="dim"/> if its size is 1; otherwise returns the tensor reshaped to
    /// itself (as torch.squeeze(dim) does). E.g. (2, 1, 3).Squeeze(1) -> (2, 3).
    /// </summary>
    public Tensor Squeeze(int dim)
    {
        int axis = Shape.NormalizeAxis(dim, nameof(dim));
        if (Shape[axis] != 1) return Reshape(Shape.ToArray());
        var dims = Shape.ToArray().ToList();
        dims.RemoveAt(axis);
        return Reshape([.. dims]);
    }

    /// <summary>Removes every dimension of size 1. E.g. (1, 3, 1, 2) -> (3, 2); (1, 1) -> a scalar.</summary>
    public Tensor Squeeze() => Reshape(Shape.ToArray().Where(d => d != 1).ToArray());
}
