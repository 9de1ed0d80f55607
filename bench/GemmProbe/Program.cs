// GemmProbe: GFLOP/s of Fovea's SGEMM (the internal Gemm.Multiply, reached by reflection) for square sizes,
// with 1 and 2 threads, median of several timed runs after warm-up.
// Usage: dotnet run -c Release --project bench/GemmProbe -- [--runs N] [--sizes 512,1024,2048] [--threads 1,2]
using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Fovea;

var runs = Option("--runs", "7").Split(',').Select(int.Parse).Single();
var sizes = Option("--sizes", "512,1024,2048").Split(',').Select(int.Parse).ToArray();
var threadCounts = Option("--threads", "1,2").Split(',').Select(int.Parse).ToArray();

var gemmType = typeof(CpuThreads).Assembly.GetType("Fovea.Kernels.Cpu.Gemm", throwOnError: true)!;
var multiply = gemmType.GetMethod("Multiply", BindingFlags.Public | BindingFlags.Static)!.CreateDelegate<GemmFunction>();
var kernel = gemmType.GetProperty("ActiveKernel", BindingFlags.Public | BindingFlags.Static)!.GetValue(null);
Console.WriteLine($"GEMM micro-kernel: {kernel}; {Environment.ProcessorCount} logical processors; load average: {LoadAverage()}");
if (Vector512.IsHardwareAccelerated)
{
    var (peakWall, peakCpu) = FmaPeak();
    Console.WriteLine($"FMA peak of one thread now (12 independent Vector512 FMA chains): wall {peakWall:F1}, CPU {peakCpu:F1} GFLOP/s");
}
Console.WriteLine("Wall: GFLOP/s by the clock. CPU: flops / (process CPU time / threads), what the threads achieved while");
Console.WriteLine("they ran; on a loaded machine it estimates the unloaded rate (spin-waiting counts as busy, so it errs low).");
Console.WriteLine($"{"size",6} {"threads",7} {"wall median",12} {"min",7} {"max",7} {"CPU median",11}  (ms median)");

foreach (int size in sizes)
{
    var random = new Random(size);
    var a = Values(random, size * size);
    var b = Values(random, size * size);
    var c = new float[size * size];
    double flops = 2.0 * size * size * size;
    foreach (int threads in threadCounts)
    {
        CpuThreads.Count = threads;
        for (int i = 0; i < 3; i++) multiply(false, false, size, size, size, 1f, a, size, b, size, 0f, c, size); // warm-up
        var rates = new List<double>();
        var cpuRates = new List<double>();
        var stopwatch = new Stopwatch();
        for (int run = 0; run < runs; run++)
        {
            // Small sizes are timed over several calls so that one timing is a few tens of milliseconds.
            int calls = Math.Max(1, (int)(2e10 / flops));
            double cpuBefore = ProcessCpuSeconds();
            stopwatch.Restart();
            for (int call = 0; call < calls; call++) multiply(false, false, size, size, size, 1f, a, size, b, size, 0f, c, size);
            stopwatch.Stop();
            double cpuSeconds = ProcessCpuSeconds() - cpuBefore;
            rates.Add(flops * calls / stopwatch.Elapsed.TotalSeconds / 1e9);
            cpuRates.Add(flops * calls / (cpuSeconds / threads) / 1e9);
        }
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        multiply(false, false, size, size, size, 1f, a, size, b, size, 0f, c, size);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        rates.Sort();
        cpuRates.Sort();
        double median = rates[rates.Count / 2];
        Console.WriteLine($"{size,6} {threads,7} {median,12:F1} {rates[0],7:F1} {rates[^1],7:F1} {cpuRates[cpuRates.Count / 2],11:F1}  ({flops / median / 1e6:F2}; {allocated} bytes allocated per call)");
    }
}
RegionCost();
Console.WriteLine($"load average after: {LoadAverage()}");

// What one CpuThreads.For region costs with 2 threads, warm and back to back, against Parallel.For:
// two tasks of ~2 µs of arithmetic each, so that both threads really take part.
void RegionCost()
{
    var forMethod = typeof(CpuThreads).GetMethod("For", BindingFlags.NonPublic | BindingFlags.Static)!.CreateDelegate<Action<int, Action<int>>>();
    CpuThreads.Count = 2;
    var sink = new double[16 * 2];
    Action<int> body = task => { double x = task; for (int i = 0; i < 2000; i++) x = x * 0.999 + 1; sink[task * 16] = x; };
    double Time(Action region)
    {
        var times = new List<double>();
        for (int run = 0; run < 7; run++)
        {
            const int regions = 20000;
            var stopwatch = Stopwatch.StartNew();
            for (int i = 0; i < regions; i++) region();
            times.Add(stopwatch.Elapsed.TotalMilliseconds * 1000 / regions);
        }
        times.Sort();
        return times[3];
    }
    double serial = Time(() => { body(0); body(1); });
    double pool = Time(() => forMethod(2, body));
    double parallel = Time(() => Parallel.For(0, 2, body));
    Console.WriteLine($"Two ~2 µs tasks per region, median µs per region: serial {serial:F2}, CpuThreads.For {pool:F2}, Parallel.For {parallel:F2}");
    Action<int> nothing = _ => { };
    Console.WriteLine($"Two empty tasks per region, median µs per region: CpuThreads.For {Time(() => forMethod(2, nothing)):F2}, Parallel.For {Time(() => Parallel.For(0, 2, nothing)):F2}");
}

// The machine's FMA throughput under the present load: the ceiling to compare the GEMM with (one thread).
static (double Wall, double Cpu) FmaPeak()
{
    var walls = new List<double>();
    var cpus = new List<double>();
    for (int run = 0; run < 5; run++)
    {
        const int iterations = 20_000_000;
        double cpuBefore = ProcessCpuSeconds();
        var stopwatch = Stopwatch.StartNew();
        float sink = FmaLoop(iterations, 1f + run * 1e-7f);
        stopwatch.Stop();
        double flops = 2.0 * 12 * Vector512<float>.Count * iterations + (sink == 12345 ? 1 : 0);
        walls.Add(flops / stopwatch.Elapsed.TotalSeconds / 1e9);
        cpus.Add(flops / (ProcessCpuSeconds() - cpuBefore) / 1e9);
    }
    walls.Sort();
    cpus.Sort();
    return (walls[2], cpus[2]);
}

[MethodImpl(MethodImplOptions.AggressiveOptimization)]
static float FmaLoop(int iterations, float seed)
{
    var x = Vector512.Create(seed * 0.5f);
    var y = Vector512.Create(seed * 0.25f);
    Vector512<float> a0 = Vector512.Create(seed), a1 = a0 + y, a2 = a1 + y, a3 = a2 + y, a4 = a3 + y, a5 = a4 + y;
    Vector512<float> a6 = a5 + y, a7 = a6 + y, a8 = a7 + y, a9 = a8 + y, a10 = a9 + y, a11 = a10 + y;
    for (int i = 0; i < iterations; i++)
    {
        a0 = Vector512.FusedMultiplyAdd(x, y, a0); a1 = Vector512.FusedMultiplyAdd(x, y, a1);
        a2 = Vector512.FusedMultiplyAdd(x, y, a2); a3 = Vector512.FusedMultiplyAdd(x, y, a3);
        a4 = Vector512.FusedMultiplyAdd(x, y, a4); a5 = Vector512.FusedMultiplyAdd(x, y, a5);
        a6 = Vector512.FusedMultiplyAdd(x, y, a6); a7 = Vector512.FusedMultiplyAdd(x, y, a7);
        a8 = Vector512.FusedMultiplyAdd(x, y, a8); a9 = Vector512.FusedMultiplyAdd(x, y, a9);
        a10 = Vector512.FusedMultiplyAdd(x, y, a10); a11 = Vector512.FusedMultiplyAdd(x, y, a11);
    }
    return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
}

static float[] Values(Random random, int count)
{
    var values = new float[count];
    for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
    return values;
}

// CPU time of the whole process with nanosecond resolution (Process.TotalProcessorTime counts 10 ms ticks on Linux).
static double ProcessCpuSeconds()
{
    var time = new TimeSpec();
    return ClockGetTime(2 /* CLOCK_PROCESS_CPUTIME_ID */, ref time) == 0 ? time.Seconds + time.Nanoseconds * 1e-9 : double.NaN;
}

[DllImport("libc", EntryPoint = "clock_gettime")]
static extern int ClockGetTime(int clock, ref TimeSpec time);

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

string Option(string name, string fallback)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}

[StructLayout(LayoutKind.Sequential)]
struct TimeSpec
{
    public long Seconds;
    public long Nanoseconds;
}

delegate void GemmFunction(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
    ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc);
