using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Conv;

/// <summary>
/// Convolutions and transposed convolutions, each case gradient-checked and compared with PyTorch
/// (tools/golden/conv.py). Inputs are (input, weight[, bias]).
/// </summary>
public sealed class ConvOpTests : OpCaseTests<ConvOpTests>, IOpCatalogue
{
    public static string Group => "conv";

    private static Tensor? Bias(Tensor[] x) => x.Length > 2 ? x[2] : null;

    public static IReadOnlyList<OpCase> Cases { get; } =
    [
        // ---- 1-D ----
        new("conv1d", x => F.Conv1d(x[0], x[1], x[2]), [[2, 3, 9], [4, 3, 3], [4]]),
        new("conv1d_stride2_padding1", x => F.Conv1d(x[0], x[1], x[2], stride: 2, padding: 1), [[2, 2, 10], [3, 2, 4], [3]]),
        new("conv1d_same_stride3", x => F.Conv1d(x[0], x[1], x[2], stride: 3, padding: Padding.Same), [[1, 2, 10], [2, 2, 4], [2]],
            Note: "Same at stride 3: I = 10, F = 4 gives (1, 2) padding and ceil(10/3) = 4 outputs."),
        new("conv1d_full_dilation2_groups2", x => F.Conv1d(x[0], x[1], x[2], padding: Padding.Full, dilation: 2, groups: 2),
            [[1, 4, 7], [6, 2, 3], [6]]),

        // ---- 2-D ----
        new("conv2d", x => F.Conv2d(x[0], x[1], x[2]), [[2, 3, 7, 6], [4, 3, 3, 3], [4]]),
        new("conv2d_stride_greater_than_kernel", x => F.Conv2d(x[0], x[1], x[2], stride: (3, 4)), [[1, 2, 9, 12], [3, 2, 2, 3], [3]]),
        new("conv2d_padding_per_dimension", x => F.Conv2d(x[0], x[1], x[2], padding: (1, 2)), [[1, 2, 5, 6], [3, 2, 3, 3], [3]]),
        new("conv2d_asymmetric_padding", x => F.Conv2d(x[0], x[1], x[2], padding: Padding.Asymmetric((0, 2), (1, 0))),
            [[1, 2, 5, 6], [2, 2, 3, 2], [2]]),
        new("conv2d_same_stride1", x => F.Conv2d(x[0], x[1], x[2], padding: Padding.Same), [[1, 2, 7, 8], [3, 2, 3, 4], [3]]),
        new("conv2d_same_stride2", x => F.Conv2d(x[0], x[1], x[2], stride: 2, padding: Padding.Same), [[1, 2, 9, 8], [3, 2, 3, 3], [3]]),
        new("conv2d_same_stride3", x => F.Conv2d(x[0], x[1], x[2], stride: 3, padding: Padding.Same), [[1, 2, 10, 9], [2, 2, 4, 2], [2]],
            Note: "Along W, F = 2 < S = 3: the Same padding clamps to 0."),
        new("conv2d_full", x => F.Conv2d(x[0], x[1], x[2], padding: Padding.Full), [[1, 2, 5, 6], [3, 2, 3, 2], [3]]),
        new("conv2d_full_stride2", x => F.Conv2d(x[0], x[1], x[2], stride: 2, padding: Padding.Full), [[1, 2, 5, 6], [3, 2, 3, 2], [3]]),
        new("conv2d_dilation2", x => F.Conv2d(x[0], x[1], x[2], padding: 1, dilation: 2), [[1, 2, 9, 9], [3, 2, 3, 3], [3]]),
        new("conv2d_same_dilation2", x => F.Conv2d(x[0], x[1], x[2], padding: Padding.Same, dilation: 2), [[1, 2, 8, 7], [2, 2, 3, 2], [2]]),
        new("conv2d_groups2", x => F.Conv2d(x[0], x[1], x[2], groups: 2), [[2, 4, 6, 6], [6, 2, 3, 3], [6]]),
        new("conv2d_depthwise", x => F.Conv2d(x[0], x[1], x[2], stride: 2, padding: 1, groups: 3), [[1, 3, 7, 7], [6, 1, 3, 3], [6]]),
        new("conv2d_no_bias", x => F.Conv2d(x[0], x[1], padding: 1), [[2, 3, 5, 5], [2, 3, 3, 3]]),
        new("conv2d_pointwise", x => F.Conv2d(x[0], x[1], x[2]), [[2, 4, 3, 3], [5, 4, 1, 1], [5]]),

        // ---- 3-D ----
        new("conv3d", x => F.Conv3d(x[0], x[1], x[2], stride: (1, 2, 1), padding: (1, 0, 1)), [[1, 2, 5, 6, 4], [3, 2, 3, 3, 2], [3]]),
        new("conv3d_same_dilation2_groups2", x => F.Conv3d(x[0], x[1], x[2], padding: Padding.Same, dilation: 2, groups: 2),
            [[1, 4, 5, 5, 5], [4, 2, 3, 3, 3], [4]]),
        new("conv3d_same_stride2", x => F.Conv3d(x[0], x[1], stride: 2, padding: Padding.Same), [[1, 2, 5, 4, 6], [2, 2, 2, 3, 3]]),

        // ---- transposed ----
        new("conv_transpose1d", x => F.ConvTranspose1d(x[0], x[1], x[2], stride: 2, padding: 1, outputPadding: 1), [[2, 3, 5], [3, 2, 3], [2]]),
        new("conv_transpose2d", x => F.ConvTranspose2d(x[0], x[1], x[2]), [[2, 3, 4, 5], [3, 2, 3, 3], [2]]),
        new("conv_transpose2d_stride2_padding_output_padding", x => F.ConvTranspose2d(x[0], x[1], x[2], stride: 2, padding: 1, outputPadding: 1),
            [[1, 2, 4, 3], [2, 3, 3, 3], [3]]),
        new("conv_transpose2d_groups", x => F.ConvTranspose2d(x[0], x[1], x[2], stride: (2, 3), padding: (0, 1), outputPadding: (1, 2), groups: 2),
            [[1, 4, 3, 4], [4, 3, 3, 2], [6]]),
        new("conv_transpose2d_dilation2_output_padding", x => F.ConvTranspose2d(x[0], x[1], Bias(x), outputPadding: 1, dilation: 2),
            [[1, 2, 3, 4], [2, 2, 2, 3]], Note: "outputPadding 1 >= stride 1 is allowed because it is < dilation 2."),
        new("conv_transpose3d", x => F.ConvTranspose3d(x[0], x[1], x[2], stride: (1, 2, 2), padding: (0, 1, 1), outputPadding: (0, 1, 0)),
            [[1, 2, 2, 3, 3], [2, 2, 2, 2, 3], [2]]),
    ];
}
