namespace Fovea.Bench.Harness;

/// <summary>One side of a row: throughput of every timed run (in the row's unit) and their summary.</summary>
public sealed record SideResult(
    double Median, double Min, double Max, double Q1, double Q3, int Runs, long IterationsPerRun, double[] Samples,
    double AllocatedBytesPerIteration, int WarmupIterations, double WarmupSeconds, bool StoppedByTimeCap)
{
    public static SideResult From(IReadOnlyList<double> samples, long iterationsPerRun, double allocatedBytesPerIteration,
        int warmupIterations, double warmupSeconds, bool stoppedByTimeCap)
    {
        var sorted = samples.Order().ToArray();
        return new SideResult(Quantile(sorted, 0.5), sorted[0], sorted[^1], Quantile(sorted, 0.25), Quantile(sorted, 0.75),
            sorted.Length, iterationsPerRun, [.. samples], allocatedBytesPerIteration, warmupIterations, warmupSeconds, stoppedByTimeCap);
    }

    /// <summary>Linear interpolation between order statistics (NumPy's default).</summary>
    public static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}

/// <summary>A throughput row: ratio = Fovea median throughput / LibTorch median throughput.</summary>
public sealed record RowResult(string Id, string Title, string Unit, SideResult? Fovea, SideResult? LibTorch, string? FoveaError, string? LibTorchError)
{
    public double? Ratio => Fovea is not null && LibTorch is not null ? Fovea.Median / LibTorch.Median : null;
}

/// <summary>
/// A peak-memory row. LibTorch is measured twice, with the timing runs' glibc tunables and with glibc's
/// defaults; the comparison uses the lower of the two so that it never favours Fovea.
/// </summary>
public sealed record MemoryRowResult(string Id, string Title, MemoryMeasurement? Fovea, MemoryMeasurement? LibTorchTunables, MemoryMeasurement? LibTorchDefault)
{
    public MemoryMeasurement? LibTorchBest =>
        new[] { LibTorchTunables, LibTorchDefault }.Where(m => m is { Error: null }).MinBy(m => m!.PeakRssBytes);
}

/// <summary>Everything the bench prints, in the JSON file's shape.</summary>
public sealed record BenchReport(
    DateTimeOffset StartedUtc, double ElapsedSeconds, string Machine, string LoadAverageBefore, string LoadAverageAfter,
    string FoveaRuntime, string LibTorchRuntime, string LibTorchGlibcTunables, bool Quick, string? Filter,
    MeasurementSettings Settings, string Method, IReadOnlyList<RowResult> Rows, IReadOnlyList<MemoryRowResult> Memory,
    IReadOnlyList<string> Warnings);
