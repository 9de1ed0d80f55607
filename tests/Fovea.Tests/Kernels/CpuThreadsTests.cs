namespace Fovea.Tests.Kernels;

/// <summary>The persistent worker pool behind CpuThreads.For: every task once, no nesting, errors surface, concurrent callers.</summary>
[Collection(ThreadCountCollection.Name)]
public sealed class CpuThreadsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(1000)]
    public void EveryTaskRunsExactlyOnce(int tasks)
    {
        for (int round = 0; round < 50; round++)
        {
            var runs = new int[tasks];
            CpuThreads.For(tasks, i => Interlocked.Increment(ref runs[i]));
            Assert.All(runs, count => Assert.Equal(1, count));
        }
    }

    [Fact]
    public void NestedRegionRunsOnTheCallingThread()
    {
        var sameThread = new bool[8 * 4];
        CpuThreads.For(8, outer =>
        {
            int thread = Environment.CurrentManagedThreadId;
            CpuThreads.For(4, inner => sameThread[outer * 4 + inner] = Environment.CurrentManagedThreadId == thread);
        });
        Assert.All(sameThread, Assert.True);
    }

    [Fact]
    public void InsideARegionOnlyOneThreadIsAvailable()
    {
        int saved = CpuThreads.Count;
        try
        {
            CpuThreads.Count = 2;
            Assert.Equal(2, CpuThreads.Available);
            var inside = new int[4];
            CpuThreads.For(4, i => inside[i] = CpuThreads.Available);
            Assert.All(inside, available => Assert.Equal(1, available));
        }
        finally { CpuThreads.Count = saved; }
    }

    [Fact]
    public void ExceptionInATaskReachesTheCaller()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            CpuThreads.For(10, i => { if (i == 7) throw new InvalidOperationException("task 7"); }));
        Assert.Equal("task 7", error.Message);
        // The pool is usable afterwards.
        int sum = 0;
        CpuThreads.For(10, i => Interlocked.Add(ref sum, i));
        Assert.Equal(45, sum);
    }

    /// <summary>Several threads asking at once: one gets the pool, the others run their tasks themselves; all complete.</summary>
    [Fact]
    public void ConcurrentCallersAllComplete()
    {
        var totals = new long[6];
        Parallel.For(0, totals.Length, new ParallelOptions { MaxDegreeOfParallelism = totals.Length }, caller =>
        {
            for (int round = 0; round < 200; round++)
                CpuThreads.For(16, i => Interlocked.Add(ref totals[caller], i + 1));
        });
        Assert.All(totals, total => Assert.Equal(200L * 16 * 17 / 2, total));
    }

    [Fact]
    public void UsesMoreThanOneThreadWhenAllowed()
    {
        int saved = CpuThreads.Count;
        var threads = new HashSet<int>();
        try
        {
            CpuThreads.Count = 2;
            for (int round = 0; round < 200 && threads.Count < 2; round++)
                CpuThreads.For(2, _ =>
                {
                    Thread.Sleep(2); // long enough that the caller cannot take both tasks before a worker wakes
                    lock (threads) threads.Add(Environment.CurrentManagedThreadId);
                });
        }
        finally { CpuThreads.Count = saved; }
        Assert.True(threads.Count >= 2, "CpuThreads.For never ran a task off the calling thread.");
    }
}

/// <summary>
/// Tests that change the global CpuThreads.Count run one at a time, so each restores the value it found, and
/// apart from every other test class: the pool serves one region at a time, so a region another class holds
/// would make these tests' regions run serially on the caller and see a different thread layout.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadCountCollection
{
    public const string Name = "CpuThreads.Count";
}
