using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Layers;

/// <summary>Max, average and adaptive pooling against PyTorch (tools/golden/pool_act_norm.py, same case names).</summary>
public sealed class PoolingOpTests : OpCaseTests<PoolingOpTests>, IOpCatalogue
{
    public static string Group => "pool_act_norm";

    /// <summary>
    /// A random permutation of distinct values 0.1 apart: no two window elements are within the
    /// finite-difference step of each other, so the argmax is stable under the gradient check.
    /// </summary>
    public static Tensor[] Distinct(int seed, params int[] shape)
    {
        var order = new Generator((ulong)seed).Permutation(new Shape(shape).Size);
        var values = order.Select(i => 0.1f * i - 0.05f * order.Length).ToArray();
        return [Tensor.FromArray(values, shape).RequiresGradient()];
    }

    private static OpCase Max(string name, Func<Tensor, Tensor> pool, params int[] shape) =>
        new(name, x => pool(x[0]), null, MakeInputs: seed => Distinct(seed, shape));

    private static OpCase Avg(string name, Func<Tensor, Tensor> pool, params int[] shape) =>
        new(name, x => pool(x[0]), [shape]);

    public static IReadOnlyList<OpCase> Cases { get; } =
    [
        Max("max1d_k3_s2", x => F.MaxPool1d(x, 3, 2), 2, 3, 9),
        Max("max1d_p1_d2_ceil", x => F.MaxPool1d(x, 3, 2, padding: 1, dilation: 2, ceilMode: true), 1, 2, 10),
        Max("max1d_unbatched", x => F.MaxPool1d(x, 2), 3, 9),
        Max("max2d_k2_odd", x => F.MaxPool2d(x, 2), 2, 3, 7, 5),
        Max("max2d_k3x2_s2x1_p1x0", x => F.MaxPool2d(x, (3, 2), (2, 1), padding: (1, 0)), 1, 2, 7, 6),
        Max("max2d_stride_gt_kernel", x => F.MaxPool2d(x, 2, 3), 1, 2, 9, 8),
        Max("max2d_ceil_rule", x => F.MaxPool2d(x, 2, 2, padding: 1, ceilMode: true), 1, 1, 5, 6),
        Max("max2d_dilation", x => F.MaxPool2d(x, (3, 3), (1, 1), dilation: (2, 3)), 1, 2, 9, 10),
        Max("max2d_dilation_p1_ceil", x => F.MaxPool2d(x, 3, 2, padding: 1, dilation: 2, ceilMode: true), 1, 1, 8, 9),
        Max("max2d_same", x => F.MaxPool2d(x, 3, 2, Padding.Same), 1, 2, 7, 8),
        Max("max2d_same_k4_s1", x => F.MaxPool2d(x, 4, 1, Padding.Same), 1, 1, 5, 6),
        Max("max2d_full", x => F.MaxPool2d(x, 3, 2, Padding.Full), 1, 1, 5, 6),
        Max("max2d_valid_k3_s3", x => F.MaxPool2d(x, 3, 3, Padding.Valid), 1, 2, 8, 8),
        Max("max2d_asym", x => F.MaxPool2d(x, 3, 2, Padding.Asymmetric((0, 1), (1, 0))), 1, 2, 6, 7),
        Max("max2d_asym_ceil", x => F.MaxPool2d(x, 3, 2, Padding.Asymmetric((1, 0), (0, 1)), ceilMode: true), 1, 1, 7, 6),
        Max("max2d_ceil_window_past_input", x => F.MaxPool2d(x, 3, 2, ceilMode: true), 1, 2, 2, 3),
        Max("max2d_unbatched", x => F.MaxPool2d(x, 2), 3, 7, 6),
        Max("max3d_k2x3x2_p1x1x0", x => F.MaxPool3d(x, (2, 3, 2), (2, 2, 3), padding: (1, 1, 0)), 1, 2, 5, 6, 7),
        Max("max3d_same_ceil", x => F.MaxPool3d(x, 3, 2, Padding.Same, ceilMode: true), 1, 1, 5, 4, 6),
        Max("max3d_dilation", x => F.MaxPool3d(x, 2, 2, dilation: 2), 1, 1, 6, 6, 6),

        Avg("avg1d_k3_s2_p1", x => F.AvgPool1d(x, 3, 2, 1), 2, 3, 9),
        Avg("avg1d_k3_s2_p1_exclude", x => F.AvgPool1d(x, 3, 2, 1, countIncludePad: false), 2, 3, 9),
        Avg("avg1d_ceil", x => F.AvgPool1d(x, 3, 2, 1, ceilMode: true), 1, 2, 6),
        Avg("avg1d_unbatched", x => F.AvgPool1d(x, 3), 3, 9),
        Avg("avg2d_k2_odd", x => F.AvgPool2d(x, 2), 2, 3, 7, 5),
        Avg("avg2d_k3_s2_p1", x => F.AvgPool2d(x, 3, 2, 1), 1, 2, 7, 8),
        Avg("avg2d_k3_s2_p1_exclude", x => F.AvgPool2d(x, 3, 2, 1, countIncludePad: false), 1, 2, 7, 8),
        Avg("avg2d_ceil", x => F.AvgPool2d(x, 3, 2, 1, ceilMode: true), 1, 1, 6, 7),
        Avg("avg2d_ceil_exclude", x => F.AvgPool2d(x, 3, 2, 1, ceilMode: true, countIncludePad: false), 1, 1, 6, 7),
        Avg("avg2d_ceil_window_past_input", x => F.AvgPool2d(x, 3, 2, ceilMode: true), 1, 2, 2, 3),
        Avg("avg2d_divisor", x => F.AvgPool2d(x, 3, 2, 1, divisorOverride: 4), 1, 2, 6, 6),
        Avg("avg2d_stride_gt_kernel", x => F.AvgPool2d(x, 2, 3), 1, 2, 9, 8),
        Avg("avg2d_same", x => F.AvgPool2d(x, 3, 2, Padding.Same), 1, 2, 7, 8),
        Avg("avg2d_same_k4_s1_exclude", x => F.AvgPool2d(x, 4, 1, Padding.Same, countIncludePad: false), 1, 2, 5, 6),
        Avg("avg2d_full", x => F.AvgPool2d(x, 3, 2, Padding.Full), 1, 1, 5, 6),
        Avg("avg2d_full_exclude", x => F.AvgPool2d(x, 3, 2, Padding.Full, countIncludePad: false), 1, 1, 5, 6),
        Avg("avg2d_asym", x => F.AvgPool2d(x, 3, 2, Padding.Asymmetric((0, 1), (1, 0))), 1, 2, 6, 7),
        Avg("avg2d_asym_ceil_exclude", x => F.AvgPool2d(x, 3, 2, Padding.Asymmetric((0, 1), (1, 0)), ceilMode: true, countIncludePad: false), 1, 2, 6, 7),
        Avg("avg2d_k3x2_s2x3_p1", x => F.AvgPool2d(x, (3, 2), (2, 3), 1), 1, 2, 7, 9),
        Avg("avg3d_k2", x => F.AvgPool3d(x, 2), 1, 2, 5, 6, 7),
        Avg("avg3d_k3_s2_p1_ceil_exclude", x => F.AvgPool3d(x, 3, 2, 1, ceilMode: true, countIncludePad: false), 1, 1, 5, 6, 7),
        Avg("avg3d_divisor", x => F.AvgPool3d(x, (2, 3, 2), (2, 2, 2), 1, divisorOverride: 5), 1, 1, 4, 5, 6),
        Avg("avg3d_same", x => F.AvgPool3d(x, 3, 2, Padding.Same), 1, 1, 5, 4, 6),

        Avg("adaptive_avg2d_down", x => F.AdaptiveAvgPool2d(x, 3, 4), 2, 3, 7, 9),
        Avg("adaptive_avg2d_up", x => F.AdaptiveAvgPool2d(x, 5, 4), 1, 2, 3, 2),
        Max("adaptive_max2d_down", x => F.AdaptiveMaxPool2d(x, 3, 4), 2, 3, 7, 9),
        Max("adaptive_max2d_up", x => F.AdaptiveMaxPool2d(x, 5, 4), 1, 2, 3, 2),
    ];
}
