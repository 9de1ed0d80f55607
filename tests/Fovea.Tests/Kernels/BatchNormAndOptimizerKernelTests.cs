using Fovea.Kernels.Cpu;
using static Fovea.Tests.Kernels.KernelAssert;

namespace Fovea.Tests.Kernels;

/// <summary>
/// BatchNorm (per-channel reductions split over channels, elementwise passes over planes) and the optimizer updates
/// (TensorPrimitives passes over L1 blocks) against their references.
/// </summary>
public sealed class BatchNormAndOptimizerKernelTests
{
    public static TheoryData<int, int, int> Layouts()
    {
        var data = new TheoryData<int, int, int>();
        for (int spatial = 1; spatial <= 33; spatial++) data.Add(3, 4, spatial);
        data.Add(64, 120, 1);   // BatchNorm1d
        data.Add(8, 32, 1024);  // large enough for several workers
        return data;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void BatchNormMatchesTheReference(int batch, int channels, int spatial)
    {
        int size = batch * channels * spatial;
        var random = new Generator((ulong)size);
        // An offset mean makes cancellation in the variance visible.
        var x = Values(random, size).Select(v => 3f + 2f * v).ToArray();
        var g = Values(random, size);
        var weight = Values(random, channels);

        var (mean, variance) = (new double[channels], new double[channels]);
        BatchNorm.Reference.MeanVariance(x, batch, channels, spatial, mean, variance);
        var (fastMean, fastVariance) = (new double[channels], new double[channels]);
        BatchNorm.MeanVariance(x, batch, channels, spatial, fastMean, fastVariance);
        for (int c = 0; c < channels; c++)
        {
            // Planes are summed in float: relative error a few float ulps of the sum of |x|.
            Assert.True(Math.Abs(mean[c] - fastMean[c]) <= 1e-6 * 5, $"mean[{c}] {fastMean[c]} vs {mean[c]}");
            Assert.True(Math.Abs(variance[c] - fastVariance[c]) <= 1e-5 * (variance[c] + 1e-3), $"variance[{c}] {fastVariance[c]} vs {variance[c]}");
        }

        var meanF = mean.Select(v => (float)v).ToArray();
        var invStd = variance.Select(v => (float)(1 / Math.Sqrt(v + 1e-5))).ToArray();
        var scale = invStd.Select((s, c) => s * weight[c]).ToArray();
        var shift = meanF.Select((m, c) => 0.25f - m * scale[c]).ToArray();
        var expected = new float[size];
        BatchNorm.Reference.Affine(x, batch, channels, spatial, scale, shift, expected);
        var actual = new float[size];
        BatchNorm.Affine(x, batch, channels, spatial, scale, shift, actual);
        Equal(expected, actual, "affine");
        // With a residual and/or the ReLU (the fused batch norm → + residual → ReLU), non-finite residuals included.
        var residual = Values(random, size);
        residual[0] = float.NaN;
        residual[size - 1] = float.NegativeInfinity;
        foreach (var (withResidual, relu) in new[] { (true, true), (true, false), (false, true) })
        {
            var r = withResidual ? residual : [];
            BatchNorm.Reference.Affine(x, batch, channels, spatial, scale, shift, expected, r, relu);
            BatchNorm.Affine(x, batch, channels, spatial, scale, shift, actual, r, relu);
            Equal(expected, actual, $"affine (residual {withResidual}, relu {relu})");
            if (relu) Assert.DoesNotContain(actual, v => v < 0f);
        }

        var (sumGrad, sumGradNormalized) = (new double[channels], new double[channels]);
        BatchNorm.Reference.GradientSums(x, g, batch, channels, spatial, meanF, invStd, sumGrad, sumGradNormalized);
        var (fastSumGrad, fastSumGradNormalized) = (new double[channels], new double[channels]);
        BatchNorm.GradientSums(x, g, batch, channels, spatial, meanF, invStd, fastSumGrad, fastSumGradNormalized);
        double count = batch * spatial;
        for (int c = 0; c < channels; c++)
        {
            Assert.True(Math.Abs(sumGrad[c] - fastSumGrad[c]) <= 1e-5 * count, $"Σg[{c}] {fastSumGrad[c]} vs {sumGrad[c]}");
            Assert.True(Math.Abs(sumGradNormalized[c] - fastSumGradNormalized[c]) <= 1e-5 * count * 2, $"Σg·x̂[{c}] {fastSumGradNormalized[c]} vs {sumGradNormalized[c]}");
        }

        foreach (bool batchStatistics in new[] { true, false })
            foreach (var gamma in new[] { weight, Array.Empty<float>() })
            {
                var expectedGrad = new float[size];
                BatchNorm.Reference.InputGradient(x, g, batch, channels, spatial, meanF, invStd, gamma, sumGrad, sumGradNormalized, batchStatistics, expectedGrad);
                var actualGrad = Enumerable.Repeat(float.NaN, size).ToArray();
                BatchNorm.InputGradient(x, g, batch, channels, spatial, meanF, invStd, gamma, sumGrad, sumGradNormalized, batchStatistics, actualGrad);
                // The per-plane constants are folded (a·g + b·x + d), which rounds differently: bound by the terms' magnitudes.
                var magnitude = new float[size];
                for (int i = 0; i < size; i++)
                {
                    int c = i / spatial % channels;
                    magnitude[i] = 4f * invStd[c] * (gamma.Length == 0 ? 1f : Math.Abs(gamma[c])) * (Math.Abs(g[i]) + 1f + Math.Abs(x[i] - meanF[c]) * invStd[c]);
                }
                Close(expectedGrad, actualGrad, magnitude, $"input gradient (batch statistics {batchStatistics}, γ {gamma.Length > 0})");
            }
    }

    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int n = 1; n <= 33; n++) data.Add(n);
        data.Add(1023);
        data.Add(1025);
        data.Add(150_001); // several blocks on several workers
        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SgdMatchesTheReferenceExactly(int n)
    {
        var random = new Generator((ulong)n);
        var grad = Values(random, n);
        var start = Values(random, n);
        var buffer0 = Values(random, n);
        foreach (var (momentum, dampening, decay, nesterov) in new[] { (0f, 0f, 0f, false), (0.9f, 0f, 1e-4f, false), (0.9f, 0.1f, 0f, false), (0.8f, 0f, 0.01f, true) })
            foreach (bool firstStep in new[] { true, false })
            {
                var (p, b) = ((float[])start.Clone(), momentum == 0 ? [] : (float[])buffer0.Clone());
                OptimizerKernels.Reference.SgdStep(p, grad, b, firstStep, 0.05f, momentum, dampening, decay, nesterov);
                var (fastP, fastB) = ((float[])start.Clone(), momentum == 0 ? [] : (float[])buffer0.Clone());
                OptimizerKernels.SgdStep(fastP, grad, fastB, firstStep, 0.05f, momentum, dampening, decay, nesterov);
                Equal(p, fastP, $"SGD parameter (momentum {momentum}, nesterov {nesterov}, first {firstStep})");
                Equal(b, fastB, "SGD momentum buffer");
            }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AdamMatchesTheReferenceExactly(int n)
    {
        var random = new Generator((ulong)n + 7);
        var grad = Values(random, n);
        var start = Values(random, n);
        var m0 = Values(random, n);
        var v0 = Values(random, n).Select(Math.Abs).ToArray();
        var max0 = Values(random, n).Select(Math.Abs).ToArray();
        foreach (var (decay, decoupled, amsgrad) in new[] { (0f, false, false), (0.01f, false, true), (0.01f, true, false), (0.05f, true, true) })
        {
            var (p, m, v, max) = ((float[])start.Clone(), (float[])m0.Clone(), (float[])v0.Clone(), amsgrad ? (float[])max0.Clone() : []);
            OptimizerKernels.Reference.AdamStep(p, grad, m, v, max, 3f, 1e-3f, 0.9f, 0.999f, 1e-8f, decay, decoupled);
            var (fp, fm, fv, fmax) = ((float[])start.Clone(), (float[])m0.Clone(), (float[])v0.Clone(), amsgrad ? (float[])max0.Clone() : []);
            OptimizerKernels.AdamStep(fp, grad, fm, fv, fmax, 3f, 1e-3f, 0.9f, 0.999f, 1e-8f, decay, decoupled);
            string label = $"Adam (decay {decay}, decoupled {decoupled}, amsgrad {amsgrad})";
            Equal(p, fp, label + " parameter");
            Equal(m, fm, label + " first moment");
            Equal(v, fv, label + " second moment");
            Equal(max, fmax, label + " max second moment");
        }
    }
}
