using System.Diagnostics;
using System.Reflection;
using Fovea.Bench;
using Fovea.Bench.Harness;
using Fovea.Bench.Native;
using Fovea.Bench.Workloads;

// Fovea versus LibTorch on the workloads of issue 3 (item 5). See docs/performance.md.
BenchOptions options;
try { options = BenchOptions.Parse(args); }
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}\n{BenchOptions.Usage}");
    return 2;
}
if (options.Help) { Console.WriteLine(BenchOptions.Usage); return 0; }
if (options.WorkerSide is Side workerSide) return Worker.Serve(workerSide);
if (options.MemorySide is Side memorySide) return Worker.MeasureMemory(memorySide, options.MemoryWorkload!, options.Settings.MemorySteps);

// --quick skips the slowest rows, unless a --filter names them; diagnostic rows run only when a --filter names them.
bool Selected(string id, string title, bool skipInQuick, bool diagnostic = false) => options.Filter is null
    ? !diagnostic && !(options.Quick && skipInQuick)
    : id.Contains(options.Filter, StringComparison.OrdinalIgnoreCase) || title.Contains(options.Filter, StringComparison.OrdinalIgnoreCase);

if (options.List)
{
    foreach (var w in Catalog.Workloads)
        Console.WriteLine($"{w.Id,-22} {w.Title}{(w.Diagnostic ? "  (diagnostic: only with --filter)" : w.SkipInQuick ? "  (skipped by --quick without --filter)" : "")}");
    foreach (var m in Catalog.MemoryRows) Console.WriteLine($"{m.Id,-22} {m.Title}{(m.SkipInQuick ? "  (skipped by --quick without --filter)" : "")}");
    return 0;
}

var workloads = Catalog.Workloads.Where(w => Selected(w.Id, w.Title, w.SkipInQuick, w.Diagnostic)).ToList();
var memoryRows = Catalog.MemoryRows.Where(m => Selected(m.Id, m.Title, m.SkipInQuick)).ToList();
if (workloads.Count == 0 && memoryRows.Count == 0)
{
    Console.Error.WriteLine($"error: no workload matches '{options.Filter}'; --list shows them.");
    return 2;
}

var started = DateTimeOffset.UtcNow;
var clock = Stopwatch.StartNew();
var settings = options.Settings;
var warnings = new List<string>();
if (typeof(Fovea.Tensor).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true)
    warnings.Add("Fovea was built in Debug (JIT optimisations off): run with -c Release for meaningful numbers.");
string loadBefore = Report.LoadAverage();

// Patch once here, before any worker loads LibTorch; the workers' own check then finds it done.
foreach (var line in TorchRuntime.PatchNativeLibrary()) Console.Error.WriteLine($"TorchSharp native library: {line}");

string foveaRuntime = "(not started)", torchRuntime = "(not started)";
var rows = new List<RowResult>();
if (workloads.Count > 0)
{
    using var fovea = WorkerProcess.Start(Side.Fovea);
    using var torch = WorkerProcess.Start(Side.Torch);
    foreach (var (worker, name) in new[] { (fovea, "Fovea"), (torch, "LibTorch") })
        if (!worker.Hello.Ok)
        {
            Console.Error.WriteLine($"error: the {name} worker could not start: {worker.Hello.Error}");
            return 1;
        }
    foveaRuntime = fovea.Hello.Info!;
    torchRuntime = torch.Hello.Info!;
    Console.Error.WriteLine($"Fovea side:    {foveaRuntime}\nLibTorch side: {torchRuntime}");

    var coordinator = new Coordinator(settings, fovea, torch);
    for (int i = 0; i < workloads.Count; i++)
    {
        var spec = workloads[i];
        Console.Error.Write($"[{i + 1}/{workloads.Count}] {spec.Title} ... ");
        RowResult row;
        try { row = coordinator.Measure(spec); }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            // A worker died (e.g. killed for memory): report what was measured so far.
            Console.Error.WriteLine($"aborted: {e.Message}");
            warnings.Add($"{spec.Title}: stopped the run: {e.Message}");
            break;
        }
        rows.Add(row);
        Console.Error.WriteLine(row.Ratio is double ratio
            ? $"Fovea {Report.Number(row.Fovea!.Median)}, LibTorch {Report.Number(row.LibTorch!.Median)} {row.Unit}, ratio {ratio:0.00} ({clock.Elapsed.TotalSeconds:F0} s)"
            : $"failed: {row.FoveaError ?? row.LibTorchError}");
        if (row.FoveaError is not null) warnings.Add($"{spec.Title}: Fovea failed: {row.FoveaError}");
        if (row.LibTorchError is not null) warnings.Add($"{spec.Title}: LibTorch failed: {row.LibTorchError}");
        foreach (var (side, name) in new[] { (row.Fovea, "Fovea"), (row.LibTorch, "LibTorch") })
            if (side is not null && side.Runs < MeasurementSettings.MinimumRuns)
                warnings.Add($"{spec.Title}: {name} took only {side.Runs} timed run(s) (time cap {settings.CapSecondsPerSide:0} s), fewer than {MeasurementSettings.MinimumRuns}.");
    }
}

var memory = new List<MemoryRowResult>();
foreach (var spec in memoryRows)
{
    Console.Error.WriteLine($"[memory] {spec.Title}: a child process per side ...");
    var result = Coordinator.MeasureMemory(spec, settings);
    memory.Add(result);
    foreach (var (m, name) in new[] { (result.Fovea, "Fovea"), (result.LibTorchTunables, "LibTorch (tunables)"), (result.LibTorchDefault, "LibTorch (glibc defaults)") })
        if (m?.Error is not null) warnings.Add($"{spec.Title}: {name} failed: {m.Error}");
}

string loadAfter = Report.LoadAverage();
if (Report.IsLoaded(loadBefore) || Report.IsLoaded(loadAfter))
    warnings.Add($"The machine was busy with other work (load average {loadBefore} before, {loadAfter} after, on {Environment.ProcessorCount} CPUs): " +
        "absolute numbers and ratios are not representative; rerun on a quiet machine.");
string foveaTunables = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "unset";
var report = new BenchReport(started, clock.Elapsed.TotalSeconds, Report.Machine(), loadBefore, loadAfter,
    foveaRuntime, torchRuntime, WorkerProcess.TorchTunables, options.Quick, options.Filter, settings,
    Report.Method(settings, foveaTunables), rows, memory, warnings);

Console.WriteLine();
Console.WriteLine($"Fovea vs LibTorch{(options.Quick ? " (--quick)" : "")}, {started:yyyy-MM-dd HH:mm} UTC, {report.ElapsedSeconds / 60:0.0} min");
Console.WriteLine($"Machine:  {report.Machine}; load average {report.LoadAverageBefore} before, {report.LoadAverageAfter} after");
Console.WriteLine($"Fovea:    {report.FoveaRuntime}");
Console.WriteLine($"LibTorch: {report.LibTorchRuntime}");
Console.WriteLine();
Console.Write(Report.Table(rows, memory));
foreach (var m in memory)
{
    Console.WriteLine();
    foreach (var (x, name) in new[] { (m.Fovea, "Fovea"), (m.LibTorchTunables, "LibTorch, tunables"), (m.LibTorchDefault, "LibTorch, glibc defaults") })
        if (x is { Error: null })
            Console.WriteLine($"{m.Title}, {name}: peak RSS {Report.Bytes(x.PeakRssBytes)}, start {Report.Bytes(x.BaselineRssBytes)}, " +
                $"{x.SecondsPerStep:0.00} s/step{(x.PeakManagedHeapBytes is long h ? $", peak managed heap {Report.Bytes(h)} (sampled every 5 ms), GC committed {Report.Bytes(x.GcCommittedBytes ?? 0)}" : "")}");
}
Console.WriteLine();
Console.WriteLine("Method: " + report.Method);
if (warnings.Count > 0)
{
    Console.WriteLine();
    foreach (var w in warnings) Console.WriteLine("Warning: " + w);
}

if (options.JsonPath is not null)
{
    File.WriteAllText(options.JsonPath, System.Text.Json.JsonSerializer.Serialize(report, Protocol.IndentedJson));
    Console.Error.WriteLine($"JSON written to {options.JsonPath}");
}
return 0;
