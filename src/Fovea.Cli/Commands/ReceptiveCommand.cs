using System.Globalization;
using System.CommandLine;
using Spectre.Console;
using static Fovea.Cli.Commands.CommandArguments;

namespace Fovea.Cli.Commands;

/// <summary>
/// `fovea receptive`: the receptive field R_k of a stack of windows (MISSION.md §2,
/// R_k = 1 + Σ_j (F_j − 1)·Π_{i&lt;j} S_i with S_0 = 1), with each layer's R and jump.
/// </summary>
internal static class ReceptiveCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var filters = IntegerList("--filters", "Filter sizes F1,F2,... of the layers, first layer first (pooling layers count too).", "F1,F2,...", minimum: 1);
        filters.Required = true;
        var strides = IntegerList("--strides", "Strides S1,S2,... (default: 1 for every layer).", "S1,S2,...", minimum: 1);
        var dilations = IntegerList("--dilations", "Dilations d1,d2,... (default: 1); a dilated filter counts as d*(F - 1) + 1.", "D1,D2,...", minimum: 1);
        var json = JsonOption("{\"receptiveField\":…}");
        var command = new Command("receptive", "Receptive field of a stack of convolution and pooling layers.")
        {
            filters, strides, dilations, json,
        };
        command.SetAction(parse =>
        {
            int[] f = parse.GetValue(filters)!;
            int[] s = parse.GetValue(strides) is { Length: > 0 } givenStrides ? givenStrides : Enumerable.Repeat(1, f.Length).ToArray();
            int[] d = parse.GetValue(dilations) is { Length: > 0 } givenDilations ? givenDilations : Enumerable.Repeat(1, f.Length).ToArray();
            if (s.Length != f.Length)
                throw new UsageException($"--strides has {s.Length} values but --filters has {f.Length}: give one stride per layer.");
            if (d.Length != f.Length)
                throw new UsageException($"--dilations has {d.Length} values but --filters has {f.Length}: give one dilation per layer.");
            IReadOnlyList<ReceptiveFieldStep> steps;
            try { steps = ReceptiveField.Chain(f, s, d); }
            catch (OverflowException) { throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"the receptive field or the jump of these {f.Length} layers exceeds {int.MaxValue:N0} pixels.")); }
            if (parse.GetValue(json))
                console.Line(Json(w => w.WriteNumber("receptiveField", steps[^1].Field)));
            else
                foreach (var line in Explain(f, s, d, steps)) console.Line(line);
            return 0;
        });
        return command;
    }

    /// <summary>A table of the layers (F, S, d, the jump before, R_k, the jump after) and the sum written out.</summary>
    public static IEnumerable<string> Explain(int[] filters, int[] strides, int[] dilations, IReadOnlyList<ReceptiveFieldStep> steps)
    {
        bool dilated = dilations.Any(d => d != 1);
        var rows = new List<string[]> { dilated ? ["layer", "F", "S", "d", "F_eff", "J_in", "R_k", "J_k"] : ["layer", "F", "S", "J_in", "R_k", "J_k"] };
        var terms = new List<string>();
        for (int k = 0; k < filters.Length; k++)
        {
            int jumpIn = k == 0 ? 1 : steps[k - 1].Jump;
            int effective = dilations[k] * (filters[k] - 1) + 1;
            rows.Add(dilated
                ? [$"{k + 1}", $"{filters[k]}", $"{strides[k]}", $"{dilations[k]}", $"{effective}", $"{jumpIn}", $"{steps[k].Field}", $"{steps[k].Jump}"]
                : [$"{k + 1}", $"{filters[k]}", $"{strides[k]}", $"{jumpIn}", $"{steps[k].Field}", $"{steps[k].Jump}"]);
            terms.Add($"({effective} - 1)*{jumpIn}");
        }
        var widths = rows[0].Select((_, c) => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows) yield return string.Join("  ", row.Select((cell, c) => cell.PadLeft(widths[c])));
        string f = dilated ? "F_eff_j" : "F_j";
        yield return $"R_{filters.Length} = 1 + sum_j ({f} - 1) * prod_{{i<j}} S_i = 1 + {string.Join(" + ", terms)} = {steps[^1].Field}";
        yield return $"jump after layer {filters.Length} (product of the strides): {steps[^1].Jump}";
    }
}
