using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fovea.Bench.Harness;

/// <summary>A request from the coordinator to a worker: prepare (build + warm up + calibrate), run (one timed run), release, quit.</summary>
public sealed record WorkerRequest(string Op, string? Workload = null, double WarmupSeconds = 0, int WarmupIterations = 0, double RunSeconds = 0);

/// <summary>A worker's answer. For prepare: the calibrated iterations per run; for run: its time and managed allocation.</summary>
public sealed record WorkerReply(bool Ok, string? Error = null, long Iterations = 0, double Seconds = 0, long AllocatedBytes = 0,
    int WarmupIterations = 0, double WarmupSeconds = 0, string? Info = null);

/// <summary>What a memory child measured for one workload on one side.</summary>
public sealed record MemoryMeasurement(
    string Side, string Workload, int Steps, string GlibcTunables,
    long BaselineRssBytes, long PeakRssBytes, double SecondsPerStep,
    long? AllocatedBytesPerStep, long? PeakManagedHeapBytes, long? GcCommittedBytes, string? Error = null)
{
    public long PeakAboveBaselineBytes => PeakRssBytes - BaselineRssBytes;
}

/// <summary>
/// Replies travel on the worker's stdout as single lines that start with <see cref="Marker"/>; anything else a
/// worker (or a native library in it) prints there is passed through to the coordinator's stderr.
/// </summary>
public static class Protocol
{
    public const string Marker = "@@bench ";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static readonly JsonSerializerOptions IndentedJson = new(Json)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,   // a file for people: keep ³, ², + and ' readable
    };

    public static void Send<T>(TextWriter writer, T message)
    {
        writer.WriteLine(Marker + JsonSerializer.Serialize(message, Json));
        writer.Flush();
    }

    public static T Parse<T>(string line) =>
        JsonSerializer.Deserialize<T>(line.StartsWith(Marker, StringComparison.Ordinal) ? line[Marker.Length..] : line, Json)
        ?? throw new InvalidDataException($"Empty message: {line}");
}
