namespace Fovea.Serialization;

/// <summary>A file whose contents do not match its format: names the file and what is wrong.</summary>
public sealed class InvalidFileException(string path, string problem)
    : IOException($"{path}: {problem}")
{
    public string FilePath { get; } = path;
    public string Problem { get; } = problem;
}
