using Fovea.Kernels.Cpu;
using static Fovea.Tests.Kernels.KernelAssert;

namespace Fovea.Tests.Kernels;

/// <summary>
/// Activations and Softmax (vectorised, split over threads) against their references, on every length from 1 to
/// 33 and on arrays large enough to be split; inputs include 0, ±∞ and NaN where the rule at those points matters.
/// </summary>
public sealed class ActivationKernelTests
{
    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int n = 1; n <= 33; n++) data.Add(n);
        data.Add(200_003); // several workers, odd length
        return data;
    }

    private static float[] Inputs(int n)
    {
        var random = new Generator((ulong)n);
        var x = Values(random, n).Select(v => 4f * v).ToArray();
        float[] special = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN];
        for (int i = 0; i < n; i += 7) x[i] = special[(i / 7) % special.Length];
        return x;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ElementwiseActivationsMatchTheReference(int n)
    {
        var x = Inputs(n);
        var g = Values(new Generator((ulong)n + 1), n);
        var sigmoidOutput = new float[n];
        Activations.Reference.SigmoidForward(x, sigmoidOutput);
        var tanhOutput = new float[n];
        Activations.Reference.TanhForward(x, tanhOutput);

        Same(y => Activations.Reference.ReluForward(x, y), y => Activations.ReluForward(x, y), n, "relu");
        Same(d => Activations.Reference.ReluBackward(x, g, d), d => Activations.ReluBackward(x, g, d), n, "relu backward");
        Same(y => Activations.Reference.LeakyReluForward(x, y, 0.1f), y => Activations.LeakyReluForward(x, y, 0.1f), n, "leaky relu");
        Same(d => Activations.Reference.LeakyReluBackward(x, g, d, 0.1f), d => Activations.LeakyReluBackward(x, g, d, 0.1f), n, "leaky relu backward");
        foreach (bool cheatSheet in new[] { false, true })
        {
            Same(y => Activations.Reference.EluForward(x, y, 0.5f, cheatSheet), y => Activations.EluForward(x, y, 0.5f, cheatSheet), n, "elu");
            Same(d => Activations.Reference.EluBackward(x, g, d, 0.5f, cheatSheet), d => Activations.EluBackward(x, g, d, 0.5f, cheatSheet), n, "elu backward");
        }
        Same(y => Activations.Reference.SigmoidForward(x, y), y => Activations.SigmoidForward(x, y), n, "sigmoid");
        Same(d => Activations.Reference.SigmoidBackward(sigmoidOutput, g, d), d => Activations.SigmoidBackward(sigmoidOutput, g, d), n, "sigmoid backward");
        Same(y => Activations.Reference.TanhForward(x, y), y => Activations.TanhForward(x, y), n, "tanh");
        Same(d => Activations.Reference.TanhBackward(tanhOutput, g, d), d => Activations.TanhBackward(tanhOutput, g, d), n, "tanh backward");
    }

    public static TheoryData<int, int, int> SoftmaxLayouts()
    {
        var data = new TheoryData<int, int, int>();
        for (int n = 1; n <= 33; n++)
        {
            data.Add(3, n, 1);  // over the last dimension
            data.Add(2, n, 5);  // over a middle dimension (channels of an image)
            if (n != 5) data.Add(2, 4, n);  // many inner positions ((2, 4, 5) is already the middle-dimension case of n = 4)
        }
        data.Add(4000, 10, 1);  // a classifier's batch, split over workers
        data.Add(8, 21, 500);   // per-pixel classes, split over workers
        return data;
    }

    [Theory]
    [MemberData(nameof(SoftmaxLayouts))]
    public void SoftmaxMatchesTheReference(int outer, int length, int inner)
    {
        int size = outer * length * inner;
        var random = new Generator((ulong)size);
        var x = Values(random, size).Select(v => 30f * v).ToArray();
        var g = Values(random, size);
        foreach (bool log in new[] { false, true })
        {
            var expected = new float[size];
            Softmax.Reference.Forward(x, expected, outer, length, inner, log);
            var actual = Enumerable.Repeat(float.NaN, size).ToArray();
            Softmax.Forward(x, actual, outer, length, inner, log);
            // Vectorised exp and sums in another order: a few ulps of the largest magnitude involved.
            var scale = log ? x.Select(v => Math.Abs(v) + 30f).ToArray() : Enumerable.Repeat(1f, size).ToArray();
            Close(expected, actual, scale, $"{(log ? "log_softmax" : "softmax")} ({outer}, {length}, {inner})", relative: 2e-6);

            var expectedGrad = new float[size];
            Softmax.Reference.Backward(expected, g, expectedGrad, outer, length, inner, log);
            var actualGrad = Enumerable.Repeat(float.NaN, size).ToArray();
            Softmax.Backward(expected, g, actualGrad, outer, length, inner, log);
            Close(expectedGrad, actualGrad, Enumerable.Repeat((float)length, size).ToArray(), $"backward ({outer}, {length}, {inner}) log {log}", relative: 2e-6);
        }
    }

    /// <summary>Both kernels fill a fresh array; the results must be identical bit for bit (NaN equal to NaN).</summary>
    private static void Same(Action<float[]> reference, Action<float[]> fast, int n, string label)
    {
        var expected = new float[n];
        reference(expected);
        var actual = Enumerable.Repeat(-123f, n).ToArray();
        fast(actual);
        Equal(expected, actual, $"{label} n={n}");
    }
}
