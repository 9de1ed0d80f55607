namespace Fovea.Cli;

/// <summary>
/// A request that cannot be carried out as asked, found while running a command (a filter larger than the
/// padded input, an input too small for the model...): printed as one line, exit code 2 like a bad option.
/// </summary>
internal sealed class UsageException(string message) : Exception(message);
