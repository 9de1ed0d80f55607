using System.Diagnostics;
using System.Reflection;

namespace Fovea.Bench.Harness;

/// <summary>
/// A child process running this program in worker mode, driven over stdin/stdout. The LibTorch side is
/// started with <see cref="TorchTunables"/> in GLIBC_TUNABLES; .NET's GC does not use glibc's malloc, so
/// the setting only affects native allocations.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    /// <summary>
    /// glibc malloc settings for LibTorch: serve blocks up to 32 MiB from the heap instead of fresh mmap
    /// pages, and never give freed heap memory back (no page faults on every large tensor).
    /// </summary>
    public const string TorchTunables = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296";

    private readonly Process process;
    private readonly string label;

    private WorkerProcess(Process process, string label, WorkerReply hello)
    {
        (this.process, this.label, Hello) = (process, label, hello);
    }

    /// <summary>The worker's first message: its runtime description, or why it could not start.</summary>
    public WorkerReply Hello { get; }

    public static WorkerProcess Start(Side side)
    {
        var info = SelfStartInfo(["--worker", side == Side.Fovea ? "fovea" : "torch"], side == Side.Torch ? TorchTunables : null);
        info.RedirectStandardInput = true;
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start a worker process.");
        string label = side == Side.Fovea ? "Fovea" : "LibTorch";
        var hello = ReadReply<WorkerReply>(process, label);
        return new WorkerProcess(process, label, hello);
    }

    public WorkerReply Send(WorkerRequest request)
    {
        process.StandardInput.WriteLine(System.Text.Json.JsonSerializer.Serialize(request, Protocol.Json));
        process.StandardInput.Flush();
        return ReadReply<WorkerReply>(process, label);
    }

    /// <summary>Runs this program once with <paramref name="arguments"/> and returns its one reply.</summary>
    public static T RunOnce<T>(IEnumerable<string> arguments, string? glibcTunables, string label, TimeSpan timeout)
    {
        var info = SelfStartInfo(arguments, glibcTunables);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start a child process.");
        var reading = Task.Run(() => ReadReply<T>(process, label));
        if (!reading.Wait(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{label} child did not answer within {timeout.TotalSeconds:F0} s.");
        }
        process.WaitForExit();
        return reading.Result;
    }

    /// <summary>
    /// This program again: the apphost directly, or "dotnet Fovea.Bench.dll" when run through the muxer.
    /// glibcTunables: the GLIBC_TUNABLES value to set, "" to unset it, or null to pass the parent's environment unchanged.
    /// </summary>
    private static ProcessStartInfo SelfStartInfo(IEnumerable<string> arguments, string? glibcTunables)
    {
        string processPath = Environment.ProcessPath ?? throw new InvalidOperationException("Unknown process path.");
        var info = new ProcessStartInfo(processPath) { UseShellExecute = false, RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        if (glibcTunables == "") info.Environment.Remove("GLIBC_TUNABLES");
        else if (glibcTunables is not null) info.Environment["GLIBC_TUNABLES"] = glibcTunables;
        return info;
    }

    private static T ReadReply<T>(Process process, string label)
    {
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null)
        {
            if (line.StartsWith(Protocol.Marker, StringComparison.Ordinal)) return Protocol.Parse<T>(line);
            Console.Error.WriteLine($"    [{label}] {line}");
        }
        process.WaitForExit();
        throw new InvalidOperationException($"The {label} worker exited (code {process.ExitCode}) without answering.");
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.WriteLine(System.Text.Json.JsonSerializer.Serialize(new WorkerRequest("quit"), Protocol.Json));
                process.StandardInput.Close();
                if (!process.WaitForExit(10_000)) process.Kill(entireProcessTree: true);
            }
        }
        catch (IOException) { }   // the worker is already gone
        process.Dispose();
    }
}
