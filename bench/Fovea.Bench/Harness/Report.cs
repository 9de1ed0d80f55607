using System.Globalization;
using System.Text;

namespace Fovea.Bench.Harness;

/// <summary>The table printed at the end, the method text beside it, and a description of the machine.</summary>
public static class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Method(MeasurementSettings s, string foveaTunables) =>
        $"Each side runs in its own worker process (this program started again), with {Worker.Threads} threads: " +
        $"torch.set_num_threads({Worker.Threads}) and CpuThreads.Count = {Worker.Threads}. " +
        $"The LibTorch worker runs with GLIBC_TUNABLES={WorkerProcess.TorchTunables} (glibc malloc keeps large tensors " +
        $"on its heap instead of fresh mmap pages, which makes LibTorch's times steady; .NET's GC does not use malloc); " +
        $"the Fovea worker's GLIBC_TUNABLES is {foveaTunables}. " +
        $"Per row and side: a warm-up of at least {s.WarmupIterations} iteration(s) and {s.WarmupSeconds:0.#} s, which also " +
        $"calibrates the iterations per timed run to about {s.RunSeconds:0.##} s; then timed runs alternate between the sides " +
        $"in ABBA order until each side has {s.TargetRuns} runs or has spent {s.CapSecondsPerSide:0} s in timed runs. " +
        $"Reported: the median throughput over runs, and the spread as min-max over runs. " +
        $"Ratio = Fovea median throughput / LibTorch median throughput (above 1: Fovea is faster). " +
        $"FLOPs count 2 per multiply-add; conv fwd+bwd (input and weight gradients) counts 3x the forward; " +
        $"GB/s counts float32 bytes read + written once. " +
        $"Fovea alloc/iter: managed bytes allocated per iteration (GC.GetTotalAllocatedBytes, all threads). " +
        $"Peak memory: each side runs the workload alone in a fresh child process (a warm-up step, then " +
        $"{s.MemorySteps} step(s)); peak RSS is the kernel's VmHWM from /proc/self/status, 'above start' subtracts the " +
        $"resident memory measured after the runtime was loaded and before the model was built. LibTorch is measured " +
        $"with the tunables above and with glibc's defaults; the table shows the lower of the two. Memory ratio = " +
        $"LibTorch / Fovea (above 1: Fovea uses less).";

    public static string Machine()
    {
        string cpu = "unknown CPU", memory = "";
        bool avx512 = false;
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal) && cpu == "unknown CPU") cpu = line[(line.IndexOf(':') + 1)..].Trim();
                if (line.StartsWith("flags", StringComparison.Ordinal) && line.Contains(" avx512f", StringComparison.Ordinal)) avx512 = true;
            }
            var total = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (total is not null) memory = $", {long.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Invariant) / (1024.0 * 1024):0.#} GiB RAM";
        }
        catch (IOException) { }
        return $"{cpu}, {Environment.ProcessorCount} logical CPUs{(avx512 ? ", AVX-512F" : "")}{memory}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    }

    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }

    /// <summary>True when the 1-minute load average exceeds the CPU count (other work competed for the cores).</summary>
    public static bool IsLoaded(string loadAverage) =>
        double.TryParse(loadAverage.Split(' ')[0], NumberStyles.Float, Invariant, out double load) && load > Environment.ProcessorCount;

    public static string Table(IReadOnlyList<RowResult> rows, IReadOnlyList<MemoryRowResult> memory)
    {
        var table = new List<string[]>
        {
            new[] { "Workload", "Fovea", "LibTorch", "Unit", "Ratio", "Spread min-max: Fovea | LibTorch", "Runs F/T", "Fovea alloc/iter" },
        };
        foreach (var row in rows)
        {
            table.Add([
                row.Title,
                row.Fovea is null ? "error" : Number(row.Fovea.Median),
                row.LibTorch is null ? "error" : Number(row.LibTorch.Median),
                row.Unit,
                row.Ratio is double r ? r.ToString("0.00", Invariant) : "-",
                $"{Range(row.Fovea)} | {Range(row.LibTorch)}",
                $"{Runs(row.Fovea)}/{Runs(row.LibTorch)}",
                row.Fovea is null ? "-" : Bytes(row.Fovea.AllocatedBytesPerIteration),
            ]);
        }
        foreach (var row in memory)
        {
            var torch = row.LibTorchBest;
            table.Add(MemoryLine($"{row.Title}: peak RSS", row.Fovea, torch, m => m.PeakRssBytes));
            table.Add(MemoryLine($"{row.Title}: peak RSS above start", row.Fovea, torch, m => m.PeakAboveBaselineBytes));
        }

        int columns = table[0].Length;
        var widths = Enumerable.Range(0, columns).Select(c => table.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        for (int i = 0; i < table.Count; i++)
        {
            var cells = table[i].Select((cell, c) => c is 1 or 2 or 4 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
            text.AppendLine(string.Join("  ", cells).TrimEnd());
            if (i == 0) text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }
        return text.ToString();
    }

    private static string[] MemoryLine(string title, MemoryMeasurement? fovea, MemoryMeasurement? torch, Func<MemoryMeasurement, long> value)
    {
        bool foveaOk = fovea is { Error: null }, torchOk = torch is { Error: null };
        string ratio = foveaOk && torchOk ? ((double)value(torch!) / value(fovea!)).ToString("0.00", Invariant) : "-";
        return [
            title,
            foveaOk ? Number(value(fovea!) / 1048576.0) : "error",
            torchOk ? Number(value(torch!) / 1048576.0) : "error",
            "MiB", ratio, "(one run per side; ratio = LibTorch/Fovea)", "1/1",
            foveaOk && fovea!.AllocatedBytesPerStep is long a ? Bytes(a) : "-",
        ];
    }

    private static string Runs(SideResult? side) => side is null ? "0" : side.Runs < MeasurementSettings.MinimumRuns ? $"{side.Runs}*" : $"{side.Runs}";

    private static string Range(SideResult? side) => side is null ? "-" : $"{Number(side.Min)}-{Number(side.Max)}";

    public static string Number(double value) => Math.Abs(value) switch
    {
        >= 1000 => value.ToString("#,0", Invariant),
        >= 100 => value.ToString("0", Invariant),
        >= 10 => value.ToString("0.0", Invariant),
        _ => value.ToString("0.00", Invariant),
    };

    public static string Bytes(double bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / (1L << 10):0.0} KiB",
        _ => $"{bytes:0} B",
    };
}
