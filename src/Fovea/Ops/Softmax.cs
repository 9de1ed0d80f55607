using SoftmaxKernel = Fovea.Kernels.Cpu.Softmax;

namespace Fovea;

// Softmax and log-softmax along one dimension (torch.nn.functional.softmax / log_softmax).
public static partial class F
{
    /// <summary>p_i = e^{x_i} / Σ_j e^{x_j} along <paramref name="dim"/> (negative counts from the end); stable for large inputs.</summary>
    public static Tensor Softmax(Tensor input, int dim) => SoftmaxAlong("softmax", input, dim, log: false);

    /// <summary>log p_i = x_i − log Σ_j e^{x_j} along <paramref name="dim"/>, computed without forming p (stable).</summary>
    public static Tensor LogSoftmax(Tensor input, int dim) => SoftmaxAlong("log_softmax", input, dim, log: true);

    private static Tensor SoftmaxAlong(string opName, Tensor input, int dim, bool log)
    {
        ArgumentNullException.ThrowIfNull(input);
        int axis = input.Shape.NormalizeAxis(dim, nameof(dim));
        // View as (outer, length, inner) around the softmax axis.
        int outer = 1, inner = 1, length = input.Shape[axis];
        for (int i = 0; i < axis; i++) outer *= input.Shape[i];
        for (int i = axis + 1; i < input.Rank; i++) inner *= input.Shape[i];
        var output = Tensor.NewStorage(input.Size);
        SoftmaxKernel.Forward(input.Data, output, outer, length, inner, log);
        return Tensor.Record(new Tensor(output, input.Shape), opName, [input], grad =>
        {
            var gradInput = Tensor.NewStorage(grad.Size);
            SoftmaxKernel.Backward(output, grad.Data, gradInput, outer, length, inner, log);
            return [new Tensor(gradInput, grad.Shape)];
        });
    }
}
