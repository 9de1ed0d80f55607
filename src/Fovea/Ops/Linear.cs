namespace Fovea;

/// <summary>Functional forms of the layers (torch.nn.functional).</summary>
public static partial class F
{
    /// <summary>y = x·Wᵀ + b. x: (..., in), weight: (out, in), bias: (out) -> (..., out).</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2) throw new ArgumentException($"Linear: weight must be (out, in), got shape {weight.Shape}.", nameof(weight));
        int inFeatures = weight.Shape[1];
        if (input.Rank == 0 || input.Shape[input.Rank - 1] != inFeatures)
            throw new ArgumentException($"Linear: input has shape {input.Shape}, expected (..., {inFeatures}) (weight {weight.Shape}).", nameof(input));
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
            throw new ArgumentException($"Linear: bias has shape {bias.Shape}, expected ({weight.Shape[0]}).", nameof(bias));
        var leading = input.Shape.Dims[..^1].ToArray();
        var flat = input.Reshape(-1, inFeatures);
        var output = Tensor.MatMul2d(flat, weight, transposeB: true);
        if (bias is not null) output = output + bias;
        return output.Reshape([.. leading, weight.Shape[0]]);
    }
}
