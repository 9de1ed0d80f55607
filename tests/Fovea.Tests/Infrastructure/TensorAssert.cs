using System.Collections.Concurrent;

namespace Fovea.Tests.Infrastructure;

public static class TensorAssert
{
    /// <summary>Largest absolute difference seen per comparison label (for the closing report).</summary>
    public static ConcurrentDictionary<string, double> MaxDifferences { get; } = new();

    /// <summary>|actual − expected| ≤ absolute + relative·|expected| everywhere, shapes equal.</summary>
    public static void Close(Tensor expected, Tensor actual, float relative, float absolute, string label = "")
    {
        if (expected.Shape != actual.Shape)
            throw new Xunit.Sdk.XunitException($"{label}: shape {actual.Shape}, expected {expected.Shape}.");
        var e = expected.ReadOnlySpan;
        var a = actual.ReadOnlySpan;
        double worst = 0;
        int worstIndex = -1, failures = 0;
        for (int i = 0; i < e.Length; i++)
        {
            double diff = Math.Abs((double)a[i] - e[i]);
            bool bad = !(diff <= absolute + relative * Math.Abs(e[i])) || float.IsNaN(a[i]) != float.IsNaN(e[i]);
            if (bad) failures++;
            if (diff > worst || (bad && worstIndex < 0)) { worst = diff; worstIndex = i; }
        }
        MaxDifferences.AddOrUpdate(label, worst, (_, old) => Math.Max(old, worst));
        Report(label, worst);
        if (failures > 0)
            throw new Xunit.Sdk.XunitException($"{label}: {failures} of {e.Length} elements differ; worst at flat index {worstIndex}: got {a[worstIndex]}, expected {e[worstIndex]} (|diff| {worst:G4}, tolerance {absolute} + {relative}·|expected|).");
    }

    public static void Close(float[] expected, Tensor actual, float relative = 1e-5f, float absolute = 1e-6f, string label = "") =>
        Close(Tensor.FromSpan(expected, actual.Shape), actual, relative, absolute, label);

    private static readonly object ReportLock = new();

    /// <summary>With FOVEA_GOLDEN_REPORT set, appends "label\tmax-abs-diff" lines to that file.</summary>
    private static void Report(string label, double worst)
    {
        var path = Environment.GetEnvironmentVariable("FOVEA_GOLDEN_REPORT");
        if (string.IsNullOrEmpty(path) || string.IsNullOrEmpty(label)) return;
        lock (ReportLock) File.AppendAllText(path, $"{label}\t{worst:G6}\n");
    }
}
