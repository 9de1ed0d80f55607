using System.Diagnostics;
using Fovea.Bench.Native;
using Fovea.Bench.Workloads;

namespace Fovea.Bench.Harness;

/// <summary>
/// The code that runs inside a child process: a timing worker serving requests on stdin, or a memory
/// child that runs one workload alone and reports its peak resident memory.
/// </summary>
public static class Worker
{
    /// <summary>Threads for both sides (issue 3: torch.set_num_threads(2), CpuThreads.Count = 2).</summary>
    public const int Threads = 2;

    public static string GlibcTunables => Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "(unset)";

    /// <summary>Loads the side's runtime with <see cref="Threads"/> threads; returns a one-line description.</summary>
    public static string InitializeSide(Side side)
    {
        if (side == Side.Torch)
        {
            string version = TorchRuntime.Initialize(Threads);
            return $"LibTorch {version} (TorchSharp-cpu 0.107.0), {TorchRuntime.Threads()} threads, GLIBC_TUNABLES={GlibcTunables}";
        }
        CpuThreads.Count = Threads;
        Generator.ManualSeed(1234);
        return $"Fovea, {CpuThreads.Count} threads, .NET {Environment.Version}, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} (large-object threshold {AppContext.GetData("System.GC.LOHThreshold") ?? "default"}), GLIBC_TUNABLES={GlibcTunables}";
    }

    /// <summary>Serves prepare/run/release requests until quit or end of input.</summary>
    public static int Serve(Side side)
    {
        var output = Console.Out;
        string info;
        try { info = InitializeSide(side); }
        catch (Exception e)
        {
            Protocol.Send(output, new WorkerReply(false, Error: Describe(e)));
            return 1;
        }
        Protocol.Send(output, new WorkerReply(true, Info: info));

        IBenchStep? step = null;
        long iterations = 1;
        string? line;
        while ((line = Console.In.ReadLine()) is not null)
        {
            var request = Protocol.Parse<WorkerRequest>(line);
            try
            {
                switch (request.Op)
                {
                    case "prepare":
                        Release(ref step);
                        step = Catalog.Get(request.Workload!).Create(side);
                        var (warmupIterations, warmupSeconds, perIteration) = WarmUp(step, request.WarmupIterations, request.WarmupSeconds);
                        iterations = Math.Clamp((long)Math.Ceiling(request.RunSeconds / Math.Max(perIteration, 1e-9)), 1, 1_000_000);
                        Protocol.Send(output, new WorkerReply(true, Iterations: iterations, WarmupIterations: warmupIterations, WarmupSeconds: warmupSeconds));
                        break;
                    case "run":
                        if (step is null) throw new InvalidOperationException("run before prepare.");
                        var (seconds, allocated) = TimedRun(step, iterations);
                        Protocol.Send(output, new WorkerReply(true, Iterations: iterations, Seconds: seconds, AllocatedBytes: allocated));
                        break;
                    case "release":
                        Release(ref step);
                        Protocol.Send(output, new WorkerReply(true));
                        break;
                    case "quit":
                        Release(ref step);
                        return 0;
                    default:
                        throw new InvalidOperationException($"Unknown request '{request.Op}'.");
                }
            }
            catch (Exception e)
            {
                Release(ref step);
                Protocol.Send(output, new WorkerReply(false, Error: Describe(e)));
            }
        }
        Release(ref step);
        return 0;
    }

    /// <summary>
    /// Runs at least <paramref name="minIterations"/> iterations and at least <paramref name="minSeconds"/>;
    /// returns the seconds per iteration of the warm-up without its first iteration (which pays for JIT
    /// compilation and first-touch page faults) when there is more than one.
    /// </summary>
    private static (int Iterations, double Seconds, double PerIteration) WarmUp(IBenchStep step, int minIterations, double minSeconds)
    {
        var total = Stopwatch.StartNew();
        step.Run();
        double first = total.Elapsed.TotalSeconds;
        int count = 1;
        while (count < Math.Max(1, minIterations) || total.Elapsed.TotalSeconds < minSeconds)
        {
            step.Run();
            count++;
        }
        double seconds = total.Elapsed.TotalSeconds;
        double perIteration = count > 1 ? (seconds - first) / (count - 1) : first;
        return (count, seconds, perIteration);
    }

    private static (double Seconds, long AllocatedBytes) TimedRun(IBenchStep step, long iterations)
    {
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long start = Stopwatch.GetTimestamp();
        for (long i = 0; i < iterations; i++) step.Run();
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return (seconds, allocated);
    }

    private static void Release(ref IBenchStep? step)
    {
        if (step is null) return;
        step.Dispose();
        step = null;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>
    /// The memory child: loads the side's runtime, records the resident memory (the baseline), then builds
    /// the workload and runs one warm-up and <paramref name="steps"/> measured iterations, sampling the
    /// managed heap every 5 ms, and reports VmHWM (the kernel's peak resident set) and the rest.
    /// </summary>
    public static int MeasureMemory(Side side, string workloadId, int steps)
    {
        var output = Console.Out;
        try
        {
            InitializeSide(side);
            var spec = Catalog.Get(workloadId);
            GC.Collect();
            long baseline = ProcStatus.ResidentBytes();

            using var sampler = new ManagedHeapSampler();
            using var step = spec.Create(side);
            step.Run();   // warm-up: first-touch of weights, optimizer state, JIT
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < steps; i++) step.Run();
            double perStep = clock.Elapsed.TotalSeconds / steps;
            long allocatedPerStep = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / steps;
            long peak = ProcStatus.PeakResidentBytes();
            bool fovea = side == Side.Fovea;
            Protocol.Send(output, new MemoryMeasurement(side.ToString(), workloadId, steps, GlibcTunables, baseline, peak, perStep,
                fovea ? allocatedPerStep : null, fovea ? sampler.Peak : null, fovea ? GC.GetGCMemoryInfo().TotalCommittedBytes : null));
            return 0;
        }
        catch (Exception e)
        {
            Protocol.Send(output, new MemoryMeasurement(side.ToString(), workloadId, steps, GlibcTunables, 0, 0, 0, null, null, null, Describe(e)));
            return 1;
        }
    }

    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message}" + (e.InnerException is { } inner ? $" ({inner.GetType().Name}: {inner.Message})" : "");

    /// <summary>Samples GC.GetTotalMemory(false) (managed bytes in use, garbage included) on a background thread.</summary>
    private sealed class ManagedHeapSampler : IDisposable
    {
        private readonly Thread thread;
        private volatile bool stop;
        private long peak;

        public ManagedHeapSampler()
        {
            thread = new Thread(() =>
            {
                while (!stop)
                {
                    Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), GC.GetTotalMemory(false)));
                    Thread.Sleep(5);
                }
            }) { IsBackground = true, Name = "heap sampler" };
            thread.Start();
        }

        public long Peak => Math.Max(Interlocked.Read(ref peak), GC.GetTotalMemory(false));

        public void Dispose()
        {
            stop = true;
            thread.Join();
        }
    }
}
