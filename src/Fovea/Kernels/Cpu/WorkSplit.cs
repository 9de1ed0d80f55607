namespace Fovea.Kernels.Cpu;

/// <summary>
/// How the fast kernels split their work over <see cref="CpuThreads"/>: coarse tasks (one per worker,
/// each a contiguous range of items such as samples or planes), and no parallelism at all for work so
/// small that dispatching it would cost more than it saves.
/// </summary>
internal static class WorkSplit
{
    /// <summary>Below this many elementary operations (multiply-adds, elements touched) a kernel runs on the calling thread.</summary>
    public const long MinimumParallelWork = 1 << 16;

    /// <summary>The number of tasks for <paramref name="items"/> items of <paramref name="workPerItem"/> operations each.</summary>
    public static int Tasks(int items, long workPerItem)
    {
        if (items <= 1) return Math.Max(items, 0);
        long total = items * Math.Max(1, workPerItem);
        if (total < MinimumParallelWork) return 1;
        int byWork = (int)Math.Min(int.MaxValue, total / (MinimumParallelWork / 2));
        return Math.Max(1, Math.Min(Math.Min(CpuThreads.Count, items), byWork));
    }

    /// <summary>Task <paramref name="task"/>'s share [Start, End) of <paramref name="items"/> items split into <paramref name="tasks"/> near-equal ranges.</summary>
    public static (int Start, int End) Range(int items, int tasks, int task)
    {
        int baseSize = items / tasks, extra = items % tasks;
        int start = task * baseSize + Math.Min(task, extra);
        return (start, start + baseSize + (task < extra ? 1 : 0));
    }

    /// <summary>Runs body(start, end) over ranges of [0, items), in parallel when the work is large enough.</summary>
    public static void For(int items, long workPerItem, Action<int, int> body)
    {
        int tasks = Tasks(items, workPerItem);
        if (tasks <= 1)
        {
            if (items > 0) body(0, items);
            return;
        }
        CpuThreads.For(tasks, task =>
        {
            var (start, end) = Range(items, tasks, task);
            body(start, end);
        });
    }
}
