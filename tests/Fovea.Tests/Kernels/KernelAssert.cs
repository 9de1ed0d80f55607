namespace Fovea.Tests.Kernels;

/// <summary>
/// Helpers of the fast-versus-reference kernel tests. Everything in this namespace compares a production
/// kernel with its naive reference, so CI re-runs exactly these tests once per SIMD tier
/// (DOTNET_EnableAVX512F=0, DOTNET_EnableHWIntrinsic=0).
/// </summary>
internal static class KernelAssert
{
    /// <summary>Values uniform in [-1, 1).</summary>
    public static float[] Values(Generator random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = 2f * random.NextFloat() - 1f;
        return values;
    }

    /// <summary>Exact equality, NaN equal to NaN (for kernels that only move or compare values).</summary>
    public static void Equal(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string label)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!(expected[i].Equals(actual[i])))
                Assert.Fail($"{label}: element {i} is {actual[i]}, reference {expected[i]}.");
    }

    /// <summary>
    /// |actual − expected| ≤ absolute + relative·magnitude elementwise, where magnitude is the same computation on
    /// absolute values (Σ|a·b| for a sum of products): a bound on float rounding that does not depend on cancellation.
    /// Fast kernels sum in float and in another order than the references (which sum in double), hence the tolerance.
    /// </summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, ReadOnlySpan<float> magnitude, string label,
        double relative = 1e-5, double absolute = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = absolute + relative * Math.Abs(magnitude[i]);
            if (!(Math.Abs((double)expected[i] - actual[i]) <= tolerance))
                Assert.Fail($"{label}: element {i} of {expected.Length} is {actual[i]}, reference {expected[i]} (tolerance {tolerance:G3}).");
        }
    }

    public static float[] Abs(float[] values) => values.Select(Math.Abs).ToArray();
}
