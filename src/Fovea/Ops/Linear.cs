using System.Numerics.Tensors;
using Fovea.Kernels.Cpu;

namespace Fovea;

/// <summary>Functional forms of the layers (torch.nn.functional).</summary>
public static partial class F
{
    /// <summary>
    /// y = x·Wᵀ + b. x: (..., in), weight: (out, in), bias: (out) -> (..., out). One recorded op: the product
    /// and the bias row added in the same pass; backward: dx = g·W, dW = gᵀ·x, db = Σ_rows g.
    /// </summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2) throw new ArgumentException($"Linear: weight must be (out, in), got shape {weight.Shape}.", nameof(weight));
        int inFeatures = weight.Shape[1], outFeatures = weight.Shape[0];
        if (input.Rank == 0 || input.Shape[input.Rank - 1] != inFeatures)
            throw new ArgumentException($"Linear: input has shape {input.Shape}, expected (..., {inFeatures}) (weight {weight.Shape}).", nameof(input));
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outFeatures))
            throw new ArgumentException($"Linear: bias has shape {bias.Shape}, expected ({outFeatures}).", nameof(bias));
        int rows = RowCount(input);
        var (x, w) = (input.Data, weight.Data);
        var output = Tensor.NewStorage(rows * outFeatures);
        // (rows, in) · (out, in)ᵀ -> (rows, out)
        Gemm.Multiply(false, true, rows, outFeatures, inFeatures, 1f, x, inFeatures, w, inFeatures, 0f, output, outFeatures);
        if (bias is not null)
            for (int r = 0; r < rows; r++)
            {
                var row = output.AsSpan(r * outFeatures, outFeatures);
                TensorPrimitives.Add(row, bias.Data, row);
            }
        var result = new Tensor(output, new Shape([.. input.Shape.Dims[..^1], outFeatures]));
        var inputShape = input.Shape;
        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return Tensor.Record(result, "linear", inputs, grad =>
        {
            var g = grad.Data;
            Tensor? gradInput = null, gradWeight = null, gradBias = null;
            if (input.RequiresGrad)
            {
                // (rows, out) · (out, in) -> (rows, in)
                var data = Tensor.NewStorage(rows * inFeatures);
                Gemm.Multiply(false, false, rows, inFeatures, outFeatures, 1f, g, outFeatures, w, inFeatures, 0f, data, inFeatures);
                gradInput = new Tensor(data, inputShape);
            }
            if (weight.RequiresGrad)
            {
                // (rows, out)ᵀ · (rows, in) -> (out, in)
                var data = Tensor.NewStorage(outFeatures * inFeatures);
                Gemm.Multiply(true, false, outFeatures, inFeatures, rows, 1f, g, outFeatures, x, inFeatures, 0f, data, inFeatures);
                gradWeight = new Tensor(data, weight.Shape);
            }
            if (bias is not null && bias.RequiresGrad)
            {
                var data = new float[outFeatures];
                for (int r = 0; r < rows; r++) TensorPrimitives.Add(data, g.AsSpan(r * outFeatures, outFeatures), data);
                gradBias = new Tensor(data, bias.Shape);
            }
            return bias is null ? [gradInput, gradWeight] : [gradInput, gradWeight, gradBias];
        });
    }

    /// <summary>The number of (..., in) rows of an input: the product of all but its last dimension.</summary>
    private static int RowCount(Tensor input)
    {
        int rows = 1;
        for (int i = 0; i < input.Rank - 1; i++) rows *= input.Shape[i];
        return rows;
    }
}
