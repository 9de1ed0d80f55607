namespace Fovea.Bench.Harness;

/// <summary>Reads this process's memory counters from /proc/self/status (Linux): VmRSS (resident now) and VmHWM (peak resident).</summary>
public static class ProcStatus
{
    public static long ResidentBytes() => Read("VmRSS:");
    public static long PeakResidentBytes() => Read("VmHWM:");

    private static long Read(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
            // "VmHWM:\t  123456 kB"
            var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException($"{key} not found in /proc/self/status.");
    }
}
