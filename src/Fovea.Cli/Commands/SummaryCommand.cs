using System.CommandLine;
using System.Text.Json;
using Fovea.Nn;
using Fovea.Vision.Models;
using Spectre.Console;
using static Fovea.Cli.Commands.CommandArguments;

namespace Fovea.Cli.Commands;

/// <summary>`fovea summary`: <c>Module.Summary</c> of a zoo model on one input, as a table or as JSON.</summary>
internal static class SummaryCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var model = ModelOption();
        var numClasses = NumClassesOption();
        var input = IntegerList("--input", "Input size of one sample, e.g. 3,224,224 (default: the model's, 1,28,28 for lenet5).", "C,H,W", minimum: 1);
        var json = JsonOption("{\"layers\":[{\"name\":…,\"type\":…,\"outputShape\":[…],\"params\":…,\"receptiveField\":…,\"macs\":…},…],\"totalParams\":…,\"trainableParams\":…,\"macs\":…}");
        var command = new Command("summary", "Layers, output shapes, parameters, receptive fields and MACs of a model.")
        {
            model, numClasses, input, json,
        };
        command.SetAction(parse =>
        {
            string name = parse.GetValue(model)!;
            var entry = ModelZoo.Get(name);
            var sample = parse.GetValue(input) is { Length: > 0 } given ? new Shape(given) : entry.DefaultInput;
            var summary = Run(ModelZoo.Create(name, parse.GetValue(numClasses)), name, sample);
            console.Line(parse.GetValue(json) ? ToJson(summary) : summary.ToString().TrimEnd());
            return 0;
        });
        return command;
    }

    /// <summary>The summary on a batch of one <paramref name="sample"/>; an input the model cannot take is a usage error.</summary>
    public static ModelSummary Run(Module network, string name, Shape sample)
    {
        try
        {
            return network.Summary(new Shape([1, .. sample.Dims]));
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--input {string.Join(",", sample.ToArray())}: {name} cannot take this input: {Message(e)}");
        }
    }

    /// <summary>The JSON form: every layer call with its name, type, output shape, parameters, receptive field and MACs, then the totals.</summary>
    public static string ToJson(ModelSummary summary) => Json(w =>
    {
        w.WriteStartArray("layers");
        foreach (var layer in summary.Layers)
        {
            w.WriteStartObject();
            w.WriteString("name", layer.Name);
            w.WriteString("type", layer.Type);
            w.WriteStartArray("outputShape");
            foreach (int size in layer.OutputShape.Dims) w.WriteNumberValue(size);
            w.WriteEndArray();
            w.WriteNumber("params", layer.Parameters);
            w.WritePropertyName("receptiveField");
            WritePerDimension(w, layer.ReceptiveField);
            w.WriteNumber("macs", layer.Macs);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("totalParams", summary.TotalParameters);
        w.WriteNumber("trainableParams", summary.TrainableParameters);
        w.WriteNumber("macs", summary.Macs);
    });

    /// <summary>A number when every spatial dimension agrees, an array when they differ, null when undefined.</summary>
    private static void WritePerDimension(Utf8JsonWriter w, IReadOnlyList<int>? values)
    {
        if (values is null) { w.WriteNullValue(); return; }
        if (values.Distinct().Count() == 1) { w.WriteNumberValue(values[0]); return; }
        w.WriteStartArray();
        foreach (int value in values) w.WriteNumberValue(value);
        w.WriteEndArray();
    }
}
