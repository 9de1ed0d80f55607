namespace Fovea.Bench;

/// <summary>Which implementation a worker process runs.</summary>
public enum Side { Fovea, Torch }

/// <summary>How long and how often each row is measured; <see cref="Quick"/> and <see cref="Full"/> are the two presets.</summary>
public sealed record MeasurementSettings(
    double WarmupSeconds, int WarmupIterations, double RunSeconds, int TargetRuns, double CapSecondsPerSide, int MemorySteps)
{
    /// <summary>Runs the issue asks for at least; rows that hit the time cap before it are flagged.</summary>
    public const int MinimumRuns = 5;

    public static MeasurementSettings Full { get; } = new(WarmupSeconds: 1.0, WarmupIterations: 2, RunSeconds: 0.3, TargetRuns: 9, CapSecondsPerSide: 30, MemorySteps: 3);
    public static MeasurementSettings Quick { get; } = new(WarmupSeconds: 0.3, WarmupIterations: 1, RunSeconds: 0.1, TargetRuns: 5, CapSecondsPerSide: 8, MemorySteps: 1);
}

/// <summary>
/// The command line. Public: --quick, --json FILE, --filter TEXT, --help. Internal (the bench starts
/// itself with these): --worker fovea|torch (serve timing requests on stdin) and
/// --memory fovea|torch WORKLOAD (measure one workload's peak memory and exit).
/// </summary>
public sealed record BenchOptions(bool Quick, string? JsonPath, string? Filter, bool Help, Side? WorkerSide, Side? MemorySide, string? MemoryWorkload)
{
    public MeasurementSettings Settings => Quick ? MeasurementSettings.Quick : MeasurementSettings.Full;

    public const string Usage =
        "Usage: dotnet run -c Release --project bench/Fovea.Bench -- [--quick] [--json FILE] [--filter TEXT] [--list]\n" +
        "  --quick         fewer and shorter runs; without --filter it also skips the slowest rows (about 2-3 minutes)\n" +
        "  --json FILE     also write the results as JSON to FILE\n" +
        "  --filter TEXT   run only rows whose id or title contains TEXT (case-insensitive), e.g. conv-b, resnet18, memory\n" +
        "  --list          list the workloads and exit\n";

    public bool List { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        bool quick = false, help = false, list = false;
        string? json = null, filter = null, memoryWorkload = null;
        Side? worker = null, memory = null;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "--quick": quick = true; break;
                case "--help" or "-h": help = true; break;
                case "--list": list = true; break;
                case "--json": json = Value(args, ref i); break;
                case "--filter": filter = Value(args, ref i); break;
                case "--worker": worker = ParseSide(Value(args, ref i)); break;
                case "--memory":
                    memory = ParseSide(Value(args, ref i));
                    memoryWorkload = Value(args, ref i);
                    break;
                default: throw new ArgumentException($"Unknown argument '{arg}'.");
            }
        }
        return new BenchOptions(quick, json, filter, help, worker, memory, memoryWorkload) { List = list };
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException($"{args[i]} needs a value.");
        return args[++i];
    }

    private static Side ParseSide(string text) => text.ToLowerInvariant() switch
    {
        "fovea" => Side.Fovea,
        "torch" or "libtorch" => Side.Torch,
        _ => throw new ArgumentException($"Unknown side '{text}' (expected fovea or torch)."),
    };
}
