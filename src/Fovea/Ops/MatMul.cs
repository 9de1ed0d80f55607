using Fovea.Kernels.Cpu;

namespace Fovea;

// Matrix products.
public sealed partial class Tensor
{
    /// <summary>
    /// a: (m, k), b: (k, n) -> (m, n), with optional transposes of the stored operands
    /// (a stored as (k, m) when transposeA, b stored as (n, k) when transposeB).
    /// </summary>
    public static Tensor MatMul2d(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        if (a.Rank != 2) throw new ArgumentException($"MatMul2d: a must be 2-D, got shape {a.Shape}.", nameof(a));
        if (b.Rank != 2) throw new ArgumentException($"MatMul2d: b must be 2-D, got shape {b.Shape}.", nameof(b));
        int m = transposeA ? a.Shape[1] : a.Shape[0], k = transposeA ? a.Shape[0] : a.Shape[1];
        int kb = transposeB ? b.Shape[1] : b.Shape[0], n = transposeB ? b.Shape[0] : b.Shape[1];
        if (k != kb)
            throw new ArgumentException($"MatMul2d: inner dimensions differ: a {a.Shape}{(transposeA ? "ᵀ" : "")} has {k}, b {b.Shape}{(transposeB ? "ᵀ" : "")} has {kb}.");
        var output = NewStorage(m * n);
        Gemm.Multiply(transposeA, transposeB, m, n, k, 1f, a.data, a.Shape[1], b.data, b.Shape[1], 0f, output, n);
        var result = new Tensor(output, new Shape(m, n));
        var (sa, sb) = (a.Detach(), b.Detach());
        return Record(result, "matmul", [a, b], g => [
            // dA = g · op(B)ᵀ, stored back in A's layout; dB = op(A)ᵀ · g likewise.
            a.RequiresGrad ? (transposeA ? MatMul2d(sb, g, transposeB, true) : MatMul2d(g, sb, false, !transposeB)) : null,
            b.RequiresGrad ? (transposeB ? MatMul2d(g, sa, true, transposeA) : MatMul2d(sa, g, !transposeA, false)) : null]);
    }
}
