using System.Diagnostics;
using Fovea.Bench.Workloads;

namespace Fovea.Bench.Harness;

/// <summary>
/// Drives the two workers through every selected workload: both sides warm up and calibrate, then timed
/// runs alternate between the sides (Fovea, LibTorch, LibTorch, Fovea, ...) until each side has the
/// target number of runs or has spent the time cap on timed runs.
/// </summary>
public sealed class Coordinator(MeasurementSettings settings, WorkerProcess fovea, WorkerProcess torch)
{
    public RowResult Measure(WorkloadSpec spec)
    {
        var request = new WorkerRequest("prepare", spec.Id, settings.WarmupSeconds, settings.WarmupIterations, settings.RunSeconds);
        var sides = new[] { new SideRun(fovea), new SideRun(torch) };
        foreach (var side in sides)
        {
            var reply = side.Worker.Send(request);
            if (!reply.Ok) side.Error = "prepare: " + reply.Error;
            else side.Prepared = reply;
        }

        for (int round = 0; ; round++)
        {
            // ABBA order: each side goes first half of the time, so a drift in machine load hits both alike.
            var order = round % 2 == 0 ? sides : sides.Reverse().ToArray();
            bool any = false;
            foreach (var side in order)
            {
                if (!side.WantsMore(settings)) continue;
                any = true;
                var reply = side.Worker.Send(new WorkerRequest("run"));
                if (!reply.Ok) { side.Error = "run: " + reply.Error; continue; }
                side.Samples.Add(spec.Throughput(reply.Iterations, reply.Seconds));
                side.TimedSeconds += reply.Seconds;
                side.AllocatedBytes += reply.AllocatedBytes;
                side.TimedIterations += reply.Iterations;
            }
            if (!any) break;
        }
        foreach (var side in sides) side.Worker.Send(new WorkerRequest("release"));
        return new RowResult(spec.Id, spec.Title, spec.Unit, sides[0].Result(settings), sides[1].Result(settings), sides[0].Error, sides[1].Error);
    }

    private sealed class SideRun(WorkerProcess worker)
    {
        public WorkerProcess Worker { get; } = worker;
        public WorkerReply? Prepared { get; set; }
        public string? Error { get; set; }
        public List<double> Samples { get; } = [];
        public double TimedSeconds { get; set; }
        public long AllocatedBytes { get; set; }
        public long TimedIterations { get; set; }

        public bool WantsMore(MeasurementSettings settings) =>
            Error is null && Prepared is not null && Samples.Count < settings.TargetRuns
            && (Samples.Count == 0 || TimedSeconds < settings.CapSecondsPerSide);

        public SideResult? Result(MeasurementSettings settings) => Samples.Count == 0 || Prepared is null ? null
            : SideResult.From(Samples, Prepared.Iterations, (double)AllocatedBytes / TimedIterations, Prepared.WarmupIterations,
                Prepared.WarmupSeconds, stoppedByTimeCap: Samples.Count < settings.TargetRuns);
    }

    /// <summary>Peak memory of one workload: a fresh child per side (and for LibTorch, per glibc setting).</summary>
    public static MemoryRowResult MeasureMemory(MemorySpec spec, MeasurementSettings settings)
    {
        var timeout = TimeSpan.FromMinutes(10);
        MemoryMeasurement Child(Side side, string? tunables, string label)
        {
            string[] arguments = ["--memory", side == Side.Fovea ? "fovea" : "torch", spec.WorkloadId, .. settings == MeasurementSettings.Quick ? new[] { "--quick" } : []];
            try { return WorkerProcess.RunOnce<MemoryMeasurement>(arguments, tunables, label, timeout); }
            catch (Exception e) { return new MemoryMeasurement(side.ToString(), spec.WorkloadId, 0, tunables ?? "(inherited)", 0, 0, 0, null, null, null, e.Message); }
        }
        var clock = Stopwatch.StartNew();
        var foveaResult = Child(Side.Fovea, null, "Fovea memory");
        var torchTunables = Child(Side.Torch, WorkerProcess.TorchTunables, "LibTorch memory");
        var torchDefault = Child(Side.Torch, "", "LibTorch memory (glibc defaults)");
        Console.Error.WriteLine($"    memory children done in {clock.Elapsed.TotalSeconds:F0} s");
        return new MemoryRowResult(spec.Id, spec.Title, foveaResult, torchTunables, torchDefault);
    }
}
