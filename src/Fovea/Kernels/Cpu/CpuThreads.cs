using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Fovea;

/// <summary>
/// The worker threads that kernels split their work over. One worker per core by default
/// (FOVEA_NUM_THREADS overrides it); parallel regions never nest: a kernel called from inside a
/// parallel region runs on the calling thread.
/// </summary>
/// <remarks>
/// The workers are a small persistent pool: Count - 1 background threads plus the calling thread.
/// After a region a worker spins briefly for the next one (kernels often run back to back), then
/// blocks, so an idle library costs no CPU. A region on a warm pool costs a few microseconds, against
/// tens for Parallel.For. One region runs at a time: a second thread that asks while the pool is busy
/// runs its tasks itself, which keeps the machine from being oversubscribed.
/// </remarks>
public static class CpuThreads
{
    private static int count = DefaultCount();
    [ThreadStatic] private static bool insideParallelRegion;

    /// <summary>Threads used by kernels (torch.set_num_threads). At least 1.</summary>
    public static int Count
    {
        get => count;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), $"Thread count must be >= 1, got {value}.");
            count = value;
        }
    }

    /// <summary>
    /// Threads a kernel called here can use: 1 inside a parallel region (regions do not nest), else <see cref="Count"/>.
    /// Lets a kernel skip splitting work that would run on this thread anyway.
    /// </summary>
    internal static int Available => insideParallelRegion ? 1 : count;

    private static int DefaultCount()
    {
        var setting = Environment.GetEnvironmentVariable("FOVEA_NUM_THREADS");
        return int.TryParse(setting, out int n) && n > 0 ? n : Environment.ProcessorCount;
    }

    /// <summary>
    /// Runs body(i) for every i in [0, tasks), spread over <see cref="Count"/> threads; returns when
    /// all are done. Give it coarse tasks (a batch image, a block of rows): each call has a fixed cost.
    /// Tasks are handed out one at a time in index order, so a thread slowed by other load simply
    /// takes fewer of them. If a task throws, the first exception is rethrown on the caller.
    /// </summary>
    internal static void For(int tasks, Action<int> body)
    {
        if (tasks <= 0) return;
        int threads = Math.Min(count, tasks);
        if (threads == 1 || insideParallelRegion || !WorkerPool.TryEnter())
        {
            for (int i = 0; i < tasks; i++) body(i);
            return;
        }
        try
        {
            var region = new Region(body, tasks);
            WorkerPool.Start(region, helpers: threads - 1);
            insideParallelRegion = true;
            try { region.Work(); }
            finally { insideParallelRegion = false; }
            region.WaitUntilDone();
            region.Failure?.Throw();
        }
        finally { WorkerPool.Exit(); }
    }

    /// <summary>One parallel region: the body, a shared counter handing out task indices, and how many are still running.</summary>
    private sealed class Region(Action<int> body, int tasks)
    {
        private readonly int tasks = tasks;
        private int next = -1;
        private int unfinished = tasks;
        public ExceptionDispatchInfo? Failure;

        /// <summary>Takes task indices until none are left. Called by the caller and by each helper worker.</summary>
        public void Work()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < tasks)
            {
                try { body(index); }
                catch (Exception e) { Interlocked.CompareExchange(ref Failure, ExceptionDispatchInfo.Capture(e), null); }
                finally { Interlocked.Decrement(ref unfinished); }
            }
        }

        /// <summary>Waits (spinning, then yielding; never sleeping a whole scheduler tick) for the tasks other threads took.</summary>
        public void WaitUntilDone()
        {
            var spinner = new SpinWait();
            while (Volatile.Read(ref unfinished) > 0) spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>
    /// The persistent helper threads. Each waits for a new generation number, spinning for
    /// <see cref="SpinTicks"/> and then blocking on a monitor; the region says how many helpers it wants.
    /// </summary>
    private static class WorkerPool
    {
        private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs
        private static readonly object Gate = new();
        private static readonly List<Thread> Threads = [];
        private static int busy;
        private static int generation;
        private static int sleepers;
        private static Region? current;
        private static int wanted;

        public static bool TryEnter() => Interlocked.CompareExchange(ref busy, 1, 0) == 0;

        public static void Exit() => Volatile.Write(ref busy, 0);

        /// <summary>Publishes a region to the first <paramref name="helpers"/> workers, starting any that do not exist yet.</summary>
        public static void Start(Region region, int helpers)
        {
            while (Threads.Count < helpers) // only the pool's owner (busy == 1) gets here
            {
                int index = Threads.Count;
                var thread = new Thread(() => Run(index)) { IsBackground = true, Name = $"Fovea worker {index + 1}" };
                Threads.Add(thread);
                thread.Start();
            }
            current = region;
            Volatile.Write(ref wanted, helpers);
            Interlocked.Increment(ref generation); // full fence: pairs with the sleeper's increment in Run
            if (Volatile.Read(ref sleepers) > 0)
                lock (Gate) Monitor.PulseAll(Gate);
        }

        // Entered once per worker and never left, so tiered compilation would leave it (and the spin loop below, which
        // it inlines) in unoptimised code: profiles showed WorkerPool.Run running QuickJitted.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Run(int index)
        {
            insideParallelRegion = true;
            int seen = Volatile.Read(ref generation);
            while (true)
            {
                seen = WaitForGeneration(seen);
                var region = current;
                if (index < Volatile.Read(ref wanted)) region?.Work();
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int WaitForGeneration(int seen)
        {
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref generation) == seen)
            {
                if (Stopwatch.GetTimestamp() - start < SpinTicks)
                {
                    // Pause instructions only: yielding here would hand a loaded core to another process
                    // for a whole time slice, and the next region would run without this worker.
                    Thread.SpinWait(20);
                    continue;
                }
                lock (Gate)
                {
                    // Dekker pairing: either Start sees sleepers > 0 and pulses (it can only take the lock once we
                    // wait), or we see the new generation here and do not wait.
                    Interlocked.Increment(ref sleepers);
                    while (Volatile.Read(ref generation) == seen) Monitor.Wait(Gate);
                    Interlocked.Decrement(ref sleepers);
                }
            }
            return Volatile.Read(ref generation);
        }
    }
}
