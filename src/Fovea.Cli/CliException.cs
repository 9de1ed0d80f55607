namespace Fovea.Cli;

/// <summary>An error the user can fix (missing data, a bad value); printed as one line, exit code 2.</summary>
internal sealed class CliException(string message) : Exception(message);
