namespace Fovea.Nn;

/// <summary>Gradient clipping (torch.nn.utils.clip_grad_norm_ and clip_grad_value_), applied in place to Grad.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by maxNorm / (total + 1e-6) when that is below 1, where total is the
    /// <paramref name="normType"/>-norm of all gradients taken together (as if concatenated into one vector;
    /// float.PositiveInfinity gives the largest absolute element). Parameters without a gradient are skipped.
    /// Returns the total norm before clipping (0 when no parameter has a gradient).
    /// </summary>
    public static float ClipGradNorm(IEnumerable<Tensor> parameters, float maxNorm, float normType = 2f, bool errorIfNonfinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"ClipGradNorm: maxNorm must be >= 0, got {maxNorm}.");
        if (!(normType > 0)) throw new ArgumentOutOfRangeException(nameof(normType), $"ClipGradNorm: normType must be > 0 (or +infinity), got {normType}.");
        var grads = parameters.Select(p => p?.GradInternal).OfType<Tensor>().ToList();
        if (grads.Count == 0) return 0f;
        float total = TotalNorm(grads, normType);
        if (errorIfNonfinite && !float.IsFinite(total))
            throw new InvalidOperationException($"ClipGradNorm: the total norm of order {normType} of the gradients is {total}, so they cannot be clipped. Pass errorIfNonfinite: false to clip anyway.");
        float coefficient = maxNorm / (total + 1e-6f);
        if (coefficient < 1f)
            foreach (var grad in grads)
                System.Numerics.Tensors.TensorPrimitives.Multiply(grad.Span, coefficient, grad.Span);
        return total;
    }

    /// <summary>Clamps every gradient element to [-clipValue, clipValue]. Parameters without a gradient are skipped.</summary>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue >= 0)) throw new ArgumentOutOfRangeException(nameof(clipValue), $"ClipGradValue: clipValue must be >= 0, got {clipValue}.");
        foreach (var grad in parameters.Select(p => p?.GradInternal).OfType<Tensor>())
        {
            var span = grad.Span;
            for (int i = 0; i < span.Length; i++) span[i] = Math.Clamp(span[i], -clipValue, clipValue);
        }
    }

    private static float TotalNorm(List<Tensor> grads, float normType)
    {
        double accumulated = 0;
        foreach (var grad in grads)
        {
            foreach (float value in grad.ReadOnlySpan)
            {
                double magnitude = Math.Abs(value);
                if (float.IsPositiveInfinity(normType)) accumulated = Math.Max(accumulated, magnitude); // Math.Max keeps NaN
                else accumulated += normType == 2f ? magnitude * magnitude : normType == 1f ? magnitude : Math.Pow(magnitude, normType);
            }
        }
        return (float)(float.IsPositiveInfinity(normType) || normType == 1f ? accumulated
            : normType == 2f ? Math.Sqrt(accumulated) : Math.Pow(accumulated, 1.0 / normType));
    }
}
