namespace Fovea;

// Variance and standard deviation (torch.var / torch.std).
public sealed partial class Tensor
{
    /// <summary>
    /// Variance over dimension <paramref name="dim"/>: Σ(x − mean)² / (N − 1) when <paramref name="unbiased"/>
    /// (Bessel's correction, PyTorch's default), else / N. Shapes as <see cref="Sum(int, bool)"/>.
    /// With N = 1 and unbiased, the result is NaN, as in PyTorch.
    /// </summary>
    public Tensor Var(int dim, bool unbiased = true, bool keepDim = false) => Var([dim], unbiased, keepDim);

    /// <summary>Variance over every dimension in <paramref name="dims"/> (empty: all).</summary>
    public Tensor Var(int[] dims, bool unbiased = true, bool keepDim = false)
    {
        int count = ReducedCount(dims, nameof(dims));
        // Two passes (centre, then square) for accuracy; autograd differentiates the composition.
        var centered = this - Mean(dims, keepDim: true);
        return centered.Square().Sum(dims, keepDim) / (count - (unbiased ? 1 : 0));
    }

    /// <summary>Variance of all elements, as a scalar tensor.</summary>
    public Tensor Var(bool unbiased = true) => Var([], unbiased);

    /// <summary>Standard deviation √Var over dimension <paramref name="dim"/>; see <see cref="Var(int, bool, bool)"/>.</summary>
    public Tensor Std(int dim, bool unbiased = true, bool keepDim = false) => Var([dim], unbiased, keepDim).Sqrt();

    /// <summary>Standard deviation over every dimension in <paramref name="dims"/> (empty: all).</summary>
    public Tensor Std(int[] dims, bool unbiased = true, bool keepDim = false) => Var(dims, unbiased, keepDim).Sqrt();

    /// <summary>Standard deviation of all elements, as a scalar tensor.</summary>
    public Tensor Std(bool unbiased = true) => Var([], unbiased).Sqrt();
}
