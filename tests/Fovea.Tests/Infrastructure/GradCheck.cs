namespace Fovea.Tests.Infrastructure;

/// <summary>
/// Finite-difference gradient check: compares the analytic gradient of
/// L = Σ f(inputs) ⊙ w (w a fixed random weighting) with central differences.
/// The loss is accumulated in double; float32 rounding still limits the precision, hence the
/// default tolerances of 1e-2 (relative to the larger gradient) with step 1e-3.
/// </summary>
public static class GradCheck
{
    public static void Check(Func<Tensor[], Tensor> function, Tensor[] inputs, float step = 1e-3f,
        float relative = 1e-2f, float absolute = 1e-2f, string label = "", int seed = 7)
    {
        foreach (var x in inputs) x.Grad = null;
        var output = function(inputs);
        var weights = Tensor.Randn(output.Shape, new Generator((ulong)seed));
        (output * weights).Sum().Backward();

        for (int k = 0; k < inputs.Length; k++)
        {
            var x = inputs[k];
            if (!x.RequiresGrad) continue;
            var analytic = x.Grad ?? throw new Xunit.Sdk.XunitException($"{label}: input {k} received no gradient.");
            var values = x.Span;
            for (int i = 0; i < values.Length; i++)
            {
                float original = values[i];
                values[i] = original + step;
                double plus = WeightedSum(function, inputs, weights);
                values[i] = original - step;
                double minus = WeightedSum(function, inputs, weights);
                values[i] = original;
                double numeric = (plus - minus) / (2 * step);
                double got = analytic.ReadOnlySpan[i];
                double scale = Math.Max(Math.Abs(numeric), Math.Abs(got));
                if (!(Math.Abs(numeric - got) <= absolute + relative * scale))
                    throw new Xunit.Sdk.XunitException($"{label}: gradient of input {k} (shape {x.Shape}) at flat index {i}: analytic {got:G6}, numeric {numeric:G6}.");
            }
        }
    }

    private static double WeightedSum(Func<Tensor[], Tensor> function, Tensor[] inputs, Tensor weights)
    {
        using var _ = Autograd.NoGrad();
        var output = function(inputs).ReadOnlySpan;
        var w = weights.ReadOnlySpan;
        double total = 0;
        for (int i = 0; i < output.Length; i++) total += (double)output[i] * w[i];
        return total;
    }

    /// <summary>Random inputs of the given shapes, requiring grad, from a seeded generator.</summary>
    public static Tensor[] RandomInputs(int seed, params int[][] shapes)
    {
        var generator = new Generator((ulong)seed);
        return shapes.Select(s => Tensor.Randn(new Shape(s), generator).RequiresGradient()).ToArray();
    }
}
