using System.Globalization;
using System.CommandLine;
using Spectre.Console;
using static Fovea.Cli.Commands.CommandArguments;

namespace Fovea.Cli.Commands;

/// <summary>
/// `fovea shape`: the padding (P_start, P_end) and the output size O of one sliding window along one
/// dimension, by MISSION.md §2's formulas (<see cref="Padding.Resolve"/>, <see cref="WindowGeometry.OutputSize"/>).
/// </summary>
internal static class ShapeCommand
{
    /// <summary>P_start, P_end and O for input I, filter F, stride S, dilation d; F_eff = d·(F − 1) + 1.</summary>
    public sealed record Result(int PaddingStart, int PaddingEnd, int Output, int EffectiveFilter);

    public static Command Create(IAnsiConsole console)
    {
        var input = new Option<int>("--input") { Description = "Input size I along the dimension.", HelpName = "I", Required = true }.AtLeastOne();
        var filter = new Option<int>("--filter") { Description = "Filter size F.", HelpName = "F", Required = true }.AtLeastOne();
        var stride = new Option<int>("--stride") { Description = "Stride S.", HelpName = "S", DefaultValueFactory = _ => 1 }.AtLeastOne();
        var padding = PaddingOption();
        var dilation = new Option<int>("--dilation") { Description = "Dilation d: the filter covers d*(F - 1) + 1 input positions.", HelpName = "D", DefaultValueFactory = _ => 1 }.AtLeastOne();
        var json = JsonOption("{\"pStart\":…,\"pEnd\":…,\"output\":…}");
        var command = new Command("shape", "Padding and output size of a convolution or pooling window along one dimension.")
        {
            input, filter, stride, padding, dilation, json,
        };
        command.SetAction(parse =>
        {
            var (i, f, s, p, d) = (parse.GetValue(input), parse.GetValue(filter), parse.GetValue(stride), parse.GetValue(padding)!, parse.GetValue(dilation));
            var result = Compute(i, f, s, p, d);
            if (parse.GetValue(json))
                console.Line(Json(w =>
                {
                    w.WriteNumber("pStart", result.PaddingStart);
                    w.WriteNumber("pEnd", result.PaddingEnd);
                    w.WriteNumber("output", result.Output);
                }));
            else
                foreach (var line in Explain(i, f, s, p, d, result)) console.Line(line);
            return 0;
        });
        return command;
    }

    /// <summary>The padding and the output size, or a <see cref="UsageException"/> when the filter is larger than the padded input.</summary>
    public static Result Compute(int input, int filter, int stride, Padding padding, int dilation)
    {
        // Sizes up to 2^28 keep every sum and product of the formulas within int.
        const int Largest = 1 << 28;
        if (input > Largest || stride > Largest || (long)dilation * (filter - 1) + 1 > Largest)
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"sizes above {Largest:N0} are not supported (I = {input}, F = {filter}, S = {stride}, d = {dilation})."));
        var (start, end) = padding.Resolve(0, input, filter, stride, dilation);
        if (start > Largest || end > Largest)
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"paddings above {Largest:N0} are not supported (P_start = {start}, P_end = {end})."));
        int effective = dilation * (filter - 1) + 1;
        if (effective > input + start + end)
        {
            string what = dilation == 1 ? $"filter F = {filter}" : $"dilated filter d*(F - 1) + 1 = {dilation}*({filter} - 1) + 1 = {effective}";
            throw new UsageException($"the {what} is larger than the padded input I + P_start + P_end = {input} + {start} + {end} = {input + start + end} ({Name(padding)} padding).");
        }
        return new Result(start, end, WindowGeometry.OutputSize(input, filter, stride, start, end, dilation), effective);
    }

    /// <summary>The computation as formulas with the numbers put in, one line each.</summary>
    public static IEnumerable<string> Explain(int input, int filter, int stride, Padding padding, int dilation, Result result)
    {
        string f = dilation == 1 ? "F" : "F_eff";
        int fValue = result.EffectiveFilter;
        yield return $"I = {input}, F = {filter}, S = {stride}{(dilation == 1 ? "" : $", d = {dilation}")}, padding {Name(padding)}";
        if (dilation != 1)
            yield return $"F_eff = d*(F - 1) + 1 = {dilation}*({filter} - 1) + 1 = {fValue} (a dilated filter counts as its span)";
        switch (padding.Kind)
        {
            case Padding.PaddingKind.Valid:
                yield return "P_start = P_end = 0 (valid: no padding; an incomplete last window is dropped)";
                break;
            case Padding.PaddingKind.Full:
                yield return $"P_start = P_end = {f} - 1 = {fValue - 1} (full: the filter sees the input end to end)";
                break;
            case Padding.PaddingKind.Same:
                int blocks = (input + stride - 1) / stride;
                int total = stride * blocks - input + fValue - stride;
                string terms = $"{stride}*{blocks} - {input} + {fValue} - {stride}";
                if (total < 0)
                {
                    yield return $"S*ceil(I/S) - I + {f} - S = {terms} = {total} < 0: no padding needed, P_start = P_end = 0";
                }
                else
                {
                    yield return $"P_start = floor((S*ceil(I/S) - I + {f} - S) / 2) = floor(({terms}) / 2) = {result.PaddingStart}";
                    yield return $"P_end   = ceil((S*ceil(I/S) - I + {f} - S) / 2) = ceil(({terms}) / 2) = {result.PaddingEnd}";
                }
                break;
            default:
                yield return $"P_start = {result.PaddingStart}, P_end = {result.PaddingEnd} (explicit)";
                break;
        }
        yield return $"O = floor((I - {f} + P_start + P_end) / S) + 1 = floor(({input} - {fValue} + {result.PaddingStart} + {result.PaddingEnd}) / {stride}) + 1 = {result.Output}";
    }

    private static string Name(Padding padding) => padding.Kind == Padding.PaddingKind.Explicit ? "explicit" : padding.ToString();
}
