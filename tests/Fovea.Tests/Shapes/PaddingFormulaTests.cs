namespace Fovea.Tests.Shapes;

/// <summary>
/// Padding.Resolve and WindowGeometry.OutputSize against MISSION.md §2's formulas, written out again here
/// independently (in floating point, with Math.Floor/Math.Ceiling), for every I in 1..64, F in 1..7,
/// S in 1..4 and every padding mode.
/// </summary>
public sealed class PaddingFormulaTests
{
    private static readonly string[] ModeNames = ["valid", "same", "full", "explicit 0", "explicit 1", "explicit 2", "explicit 3",
        "asymmetric 0,1", "asymmetric 1,0", "asymmetric 0,2", "asymmetric 2,1", "asymmetric 3,0"];

    public static TheoryData<string> Modes => new(ModeNames);

    private static Padding Parse(string mode)
    {
        var words = mode.Split(' ');
        return words[0] switch
        {
            "valid" => Padding.Valid,
            "same" => Padding.Same,
            "full" => Padding.Full,
            "explicit" => Padding.Explicit(int.Parse(words[1])),
            _ => Padding.Asymmetric((int.Parse(words[1].Split(',')[0]), int.Parse(words[1].Split(',')[1]))),
        };
    }

    /// <summary>(P_start, P_end) by the cheat sheet; F is the effective (dilated) filter size.</summary>
    private static (int Start, int End) Expected(string mode, int input, int filter, int stride)
    {
        var words = mode.Split(' ');
        switch (words[0])
        {
            case "valid": return (0, 0);
            case "full": return (filter - 1, filter - 1);
            case "same":
                double total = stride * Math.Ceiling((double)input / stride) - input + filter - stride;
                // A negative total means the windows already fit without padding: no padding (never negative padding).
                total = Math.Max(0, total);
                return ((int)Math.Floor(total / 2), (int)Math.Ceiling(total / 2));
            case "explicit": int p = int.Parse(words[1]); return (p, p);
            default: var pair = words[1].Split(','); return (int.Parse(pair[0]), int.Parse(pair[1]));
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void EveryInputFilterAndStrideFollowsTheFormulas(string mode) => CheckAll(mode, dilations: [1], maxInput: 64, maxFilter: 7);

    [Theory]
    [MemberData(nameof(Modes))]
    public void DilatedFiltersCountAsTheirSpan(string mode) => CheckAll(mode, dilations: [2, 3], maxInput: 40, maxFilter: 5);

    private static void CheckAll(string mode, int[] dilations, int maxInput, int maxFilter)
    {
        var padding = Parse(mode);
        int checkedCount = 0, rejected = 0;
        foreach (int dilation in dilations)
            for (int input = 1; input <= maxInput; input++)
                for (int filter = 1; filter <= maxFilter; filter++)
                    for (int stride = 1; stride <= 4; stride++)
                    {
                        int effective = dilation * (filter - 1) + 1;
                        var (start, end) = padding.Resolve(0, input, filter, stride, dilation);
                        Assert.Equal(Expected(mode, input, effective, stride), (start, end));
                        if (mode == "full") Assert.InRange(start, 0, effective - 1);   // the cheat sheet allows any P_start in [0, F − 1]

                        if (effective > input + start + end)
                        {
                            var error = Assert.Throws<ArgumentException>(() => WindowGeometry.OutputSize(input, filter, stride, start, end, dilation));
                            Assert.Contains("larger than the padded input", error.Message);
                            rejected++;
                            continue;
                        }
                        int output = WindowGeometry.OutputSize(input, filter, stride, start, end, dilation);
                        Assert.Equal((int)Math.Floor((double)(input - effective + start + end) / stride) + 1, output);
                        if (mode == "same") Assert.Equal((int)Math.Ceiling((double)input / stride), output);
                        if (mode == "full" && stride == 1) Assert.Equal(input + effective - 1, output);
                        if (mode == "valid") Assert.Equal((input - effective) / stride + 1, output);
                        checkedCount++;
                    }
        Assert.True(checkedCount > 0);
        // Only valid and small explicit paddings can make the filter larger than the padded input.
        if (mode is "same" or "full") Assert.Equal(0, rejected);
    }

    [Fact]
    public void ConvolutionsProduceTheComputedOutputSize()
    {
        foreach (var mode in ModeNames)
        {
            var padding = Parse(mode);
            for (int input = 1; input <= 12; input++)
                for (int filter = 1; filter <= 4; filter++)
                    for (int stride = 1; stride <= 3; stride++)
                    {
                        var (start, end) = padding.Resolve(0, input, filter, stride);
                        if (filter > input + start + end) continue;
                        var output = F.Conv1d(Tensor.Ones(1, 1, input), Tensor.Ones(1, 1, filter), null, stride, padding);
                        Assert.Equal(WindowGeometry.OutputSize(input, filter, stride, start, end), output.Shape[2]);
                    }
        }
    }

    [Fact]
    public void MissionExamplesWorkedByHand()
    {
        // Same, I = 28, F = 5, S = 1: total = 1·28 − 28 + 5 − 1 = 4 → (2, 2), O = 28.
        Assert.Equal((2, 2), Padding.Same.Resolve(0, 28, 5, 1));
        // Same, I = 7, F = 3, S = 2: ceil(7/2) = 4, total = 8 − 7 + 3 − 2 = 2 → (1, 1), O = floor((7 − 3 + 2)/2) + 1 = 4.
        Assert.Equal((1, 1), Padding.Same.Resolve(0, 7, 3, 2));
        Assert.Equal(4, WindowGeometry.OutputSize(7, 3, 2, 1, 1));
        // Same, I = 6, F = 4, S = 2: total = 6 − 6 + 4 − 2 = 2 → (1, 1); I = 5: total = 6 − 5 + 2 = 3 → (1, 2), asymmetric.
        Assert.Equal((1, 2), Padding.Same.Resolve(0, 5, 4, 2));
        // Full, F = 3: P = 2 on both sides, O = I + F − 1 = 7 for I = 5.
        Assert.Equal((2, 2), Padding.Full.Resolve(0, 5, 3, 1));
        Assert.Equal(7, WindowGeometry.OutputSize(5, 3, 1, 2, 2));
        // Valid drops the incomplete last window: I = 7, F = 2, S = 2 → 3 windows, the 7th pixel unused.
        Assert.Equal(3, WindowGeometry.OutputSize(7, 2, 2, 0, 0));
        // ceil_mode lets a window hang past the end, even one longer than the input, if it starts inside (PyTorch):
        // I = 2, F = 3, S = 2 → floor((−1 + 1)/2) + 1 = 1; I = 1 → floor((−2 + 1)/2) + 1 = 0: an error, as without ceil_mode.
        Assert.Equal(1, WindowGeometry.OutputSize(2, 3, 2, 0, 0, ceilMode: true));
        Assert.Throws<ArgumentException>(() => WindowGeometry.OutputSize(1, 3, 2, 0, 0, ceilMode: true));
        Assert.Throws<ArgumentException>(() => WindowGeometry.OutputSize(2, 3, 2, 0, 0));
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowGeometry.OutputSize(-1, 3, 1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowGeometry.OutputSize(5, 0, 1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowGeometry.OutputSize(5, 3, 0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowGeometry.OutputSize(5, 3, 1, -1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowGeometry.OutputSize(5, 3, 1, 0, 0, dilation: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Padding.Asymmetric((1, -1)));
    }
}
