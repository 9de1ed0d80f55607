namespace Fovea;

/// <summary>
/// The worker threads that kernels split their work over. One worker per core by default
/// (FOVEA_NUM_THREADS overrides it); parallel regions never nest: a kernel called from inside a
/// parallel region runs on the calling thread.
/// </summary>
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

    private static int DefaultCount()
    {
        var setting = Environment.GetEnvironmentVariable("FOVEA_NUM_THREADS");
        return int.TryParse(setting, out int n) && n > 0 ? n : Environment.ProcessorCount;
    }

    /// <summary>
    /// Runs body(i) for every i in [0, tasks), spread over <see cref="Count"/> threads; returns when
    /// all are done. Give it coarse tasks (a batch image, a block of rows): each call has a fixed cost.
    /// </summary>
    internal static void For(int tasks, Action<int> body)
    {
        if (tasks <= 0) return;
        if (tasks == 1 || count == 1 || insideParallelRegion)
        {
            for (int i = 0; i < tasks; i++) body(i);
            return;
        }
        // Static chunking over min(count, tasks) workers; the calling thread takes part.
        int workers = Math.Min(count, tasks);
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
        {
            bool outer = insideParallelRegion;
            insideParallelRegion = true;
            try
            {
                for (int i = worker; i < tasks; i += workers) body(i);
            }
            finally { insideParallelRegion = outer; }
        });
    }
}
