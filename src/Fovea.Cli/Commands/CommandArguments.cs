using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Fovea.Vision.Models;

namespace Fovea.Cli.Commands;

/// <summary>Option kinds shared by the shape commands: comma-separated lists, padding modes, zoo models, JSON output.</summary>
internal static class CommandArguments
{
    /// <summary>An option holding "A,B,C": integers >= <paramref name="minimum"/>, <paramref name="count"/> of them when given. Bad values are parse errors.</summary>
    public static Option<int[]> IntegerList(string name, string description, string helpName, int minimum, int? count = null) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (TryParseList(text, minimum, out var values, out var problem) && (count is null || values.Length == count))
                return values;
            result.AddError($"{name} {problem ?? $"needs {count} values, got {values.Length}"} (expected {helpName}).");
            return [];
        },
    };

    /// <summary>Integers separated by commas, each >= <paramref name="minimum"/>; <paramref name="problem"/> says what is wrong otherwise.</summary>
    public static bool TryParseList(string text, int minimum, out int[] values, out string? problem)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        values = new int[parts.Length];
        problem = null;
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out values[i]))
                problem = $"has '{parts[i]}' in '{text}', which is not an integer";
            else if (values[i] < minimum)
                problem = $"must be >= {minimum}, got {values[i]} in '{text}'";
            if (problem is not null) return false;
        }
        return true;
    }

    /// <summary>--padding valid|same|full|P|PSTART,PEND (default valid).</summary>
    public static Option<Padding> PaddingOption() => new("--padding")
    {
        Description = "Zero padding: valid (P = 0), same (output ceil(I/S)), full (P = F - 1), P on both sides, or PSTART,PEND.",
        HelpName = "valid|same|full|P|PSTART,PEND",
        DefaultValueFactory = _ => Padding.Valid,
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            switch (text.ToLowerInvariant())
            {
                case "valid": return Padding.Valid;
                case "same": return Padding.Same;
                case "full": return Padding.Full;
            }
            if (!TryParseList(text, int.MinValue, out var values, out _))
                result.AddError($"--padding '{text}' is none of valid, same, full, P, PSTART,PEND.");
            else if (values.Length > 2)
                result.AddError($"--padding '{text}' has {values.Length} values; expected P or PSTART,PEND.");
            else if (values.Any(v => v < 0))
                result.AddError($"--padding must be >= 0, got '{text}'.");
            else
                return values.Length == 1 ? Padding.Explicit(values[0]) : Padding.Asymmetric((values[0], values[1]));
            return Padding.Valid;
        },
    };

    /// <summary>--model NAME, required, one of the zoo's models (an unknown name is a parse error listing the known ones).</summary>
    public static Option<string> ModelOption() => new Option<string>("--model")
    {
        Description = $"Model name: {string.Join(", ", ModelZoo.Names)}.",
        HelpName = "NAME",
        Required = true,
    }.Check(name => ModelZoo.TryGet(name, out _) ? null : $"'{name}' is not a known model (known: {string.Join(", ", ModelZoo.Names)}).");

    /// <summary>--num-classes N (default: the model's own).</summary>
    public static Option<int?> NumClassesOption() => new Option<int?>("--num-classes")
    {
        Description = "Number of classes of the classifier (default: the model's, e.g. 10 for lenet5).",
        HelpName = "N",
    }.Check(n => n is null or >= 1 ? null : $"must be >= 1, got {n}.");

    public static Option<bool> JsonOption(string shape) => new("--json") { Description = $"Print only the JSON object {shape}." };

    /// <summary>A compact JSON object written by <paramref name="write"/> (no spaces, no line breaks).</summary>
    public static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>An ArgumentException's message without the " (Parameter 'x')" suffix, for one-line errors.</summary>
    public static string Message(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
}
