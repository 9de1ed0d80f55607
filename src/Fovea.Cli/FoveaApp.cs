using System.CommandLine;
using System.CommandLine.Help;
using Fovea.Cli.Commands;
using Fovea.Serialization;
using Spectre.Console;

namespace Fovea.Cli;

/// <summary>The `fovea` command line: parses, runs a subcommand, and turns errors into one-line messages and exit codes.</summary>
internal static class FoveaApp
{
    /// <summary>An error the user can fix: a bad command line (unknown option, bad value) or bad input (a missing
    /// folder, a truncated or corrupt file, labels out of range, a model that does not fit the data).</summary>
    public const int UsageError = 2;
    /// <summary>An internal error (a bug): anything the program did not expect.</summary>
    public const int Failure = 1;

    public static Command CreateRoot(IAnsiConsole console)
    {
        // A plain Command rather than RootCommand, whose name would be the assembly's ("Fovea.Cli").
        var root = new Command("fovea", "Fovea: convolutional neural networks in C#.")
        {
            new HelpOption(),
            new VersionOption(),
            DemoCommand.Create(console),
            MakeSubsetCommand.Create(console),
            ShapeCommand.Create(console),
            ReceptiveCommand.Create(console),
            SummaryCommand.Create(console),
            InferCommand.Create(console),
            TrainCommand.Create(console),
            EvalCommand.Create(console),
            PredictCommand.Create(console),
        };
        return root;
    }

    /// <summary>Runs the command line; returns the process exit code.</summary>
    public static int Run(string[] args, IAnsiConsole console, TextWriter output, TextWriter error)
    {
        var root = CreateRoot(console);
        var parse = root.Parse(args);
        string command = parse.CommandResult.Command == root ? "fovea" : $"fovea {parse.CommandResult.Command.Name}";
        if (parse.Errors.Count > 0)
        {
            error.WriteLine($"fovea: {string.Join(" ", parse.Errors.Select(e => e.Message))} (see '{command} --help')");
            return UsageError;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            error.WriteLine($"fovea: {OneLine(e.Message)} (see '{command} --help')");
            return UsageError;
        }
        catch (Exception e)
        {
            // Errors the user can act on (bad data, a missing folder, a bad value) are one line. Anything else is
            // a bug: one line too, with the stack trace on request.
            bool expected = e is CliException or InvalidFileException or IOException or UnauthorizedAccessException
                or ArgumentException or InvalidOperationException;
            bool trace = Environment.GetEnvironmentVariable("FOVEA_TRACE") is { Length: > 0 };
            error.WriteLine(expected
                ? $"fovea: error: {OneLine(e.Message)}"
                : $"fovea: internal error: {e.GetType().Name}: {OneLine(e.Message)}{(trace ? "" : " (set FOVEA_TRACE=1 for the stack trace)")}");
            if (trace) error.WriteLine(e);
            return expected ? UsageError : Failure;
        }
    }

    private static string OneLine(string text) => string.Join(" ", text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
