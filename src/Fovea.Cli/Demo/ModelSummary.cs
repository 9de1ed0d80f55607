using Fovea.Nn;
using Spectre.Console;

namespace Fovea.Cli.Demo;

/// <summary>One row of a model summary: a layer of a Sequential, the shape it outputs, and its parameter count.</summary>
internal sealed record LayerRow(int Index, string Layer, Shape OutputShape, long Parameters);

/// <summary>Per-layer output shapes and parameter counts of a Sequential (the cheat sheet's "model complexity").</summary>
internal static class ModelSummary
{
    /// <summary>
    /// Runs one zero batch of <paramref name="input"/> through each layer in turn, in eval mode and
    /// without recording gradients (so BatchNorm statistics are untouched), and counts each layer's parameters.
    /// </summary>
    public static IReadOnlyList<LayerRow> Describe(Sequential model, Shape input)
    {
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using var noGrad = Autograd.NoGrad();
            var x = Tensor.Zeros(input);
            var rows = new List<LayerRow>();
            for (int i = 0; i < model.Count; i++)
            {
                x = model[i].Forward(x);
                rows.Add(new LayerRow(i, model[i].ToString(), x.Shape, model[i].ParameterCount()));
            }
            return rows;
        }
        finally
        {
            model.Train(wasTraining);
        }
    }

    public static Table ToTable(IReadOnlyList<LayerRow> rows, Shape input, string title)
    {
        var table = new Table { Title = new TableTitle(title) };
        table.AddColumn("#");
        table.AddColumn("Layer");
        table.AddColumn("Output shape");
        table.AddColumn(new TableColumn("Parameters").RightAligned());
        table.AddRow("", "input", input.ToString(), "");
        foreach (var row in rows)
            table.AddRow(row.Index.ToString(Invariant), Markup.Escape(row.Layer), row.OutputShape.ToString(), row.Parameters.ToString("N0", Invariant));
        table.AddRow("", "[bold]total[/]", "", $"[bold]{rows.Sum(r => r.Parameters).ToString("N0", Invariant)}[/]");
        return table;
    }

    private static IFormatProvider Invariant => System.Globalization.CultureInfo.InvariantCulture;
}
