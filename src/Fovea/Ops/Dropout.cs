using System.Numerics.Tensors;
using DropoutKernel = Fovea.Kernels.Cpu.Dropout;

namespace Fovea;

// Dropout (torch.nn.functional.dropout).
public static partial class F
{
    /// <summary>
    /// Inverted dropout: in training each element is zeroed with probability <paramref name="p"/> and the
    /// kept ones are scaled by 1/(1 − p), so the expected value is unchanged; the gradient goes through the
    /// same mask. Not training (or p = 0): the input itself. The mask is drawn from
    /// <paramref name="generator"/> (default: <see cref="Generator.Default"/>).
    /// </summary>
    public static Tensor Dropout(Tensor input, float p = 0.5f, bool training = true, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckDropoutProbability(p);
        if (!training || p == 0f) return input;
        var mask = Tensor.NewStorage(input.Size);
        DropoutKernel.FillMask(mask, p, generator ?? Generator.Default);
        var output = Tensor.NewStorage(input.Size);
        TensorPrimitives.Multiply(input.ReadOnlySpan, mask, output);
        return Tensor.Record(new Tensor(output, input.Shape), "dropout", [input], grad =>
        {
            var gradInput = Tensor.NewStorage(grad.Size);
            TensorPrimitives.Multiply(grad.ReadOnlySpan, mask, gradInput);
            return [new Tensor(gradInput, grad.Shape)];
        });
    }

    internal static void CheckDropoutProbability(float p)
    {
        if (!(p >= 0f && p <= 1f))
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability must be in [0, 1], got {p}.");
    }
}
