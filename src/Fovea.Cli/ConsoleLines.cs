using Spectre.Console;

namespace Fovea.Cli;

internal static class ConsoleLines
{
    /// <summary>
    /// Writes one line of plain text straight to the console's writer. Spectre's own WriteLine wraps at
    /// the console width (80 columns when output is redirected), which breaks log lines and hashes.
    /// </summary>
    public static void Line(this IAnsiConsole console, string text) => console.Profile.Out.Writer.WriteLine(text);
}
