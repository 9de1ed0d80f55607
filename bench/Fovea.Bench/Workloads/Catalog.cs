namespace Fovea.Bench.Workloads;

/// <summary>One iteration of a workload on one side, prepared once (inputs, model, optimizer) and run many times.</summary>
public interface IBenchStep : IDisposable
{
    void Run();
}

/// <summary>
/// A row of the table: what one iteration does, how much work it is (FLOPs, bytes or images) and how to
/// build it on each side. Both sides get the same shapes; the factories run inside the worker processes.
/// </summary>
public sealed record WorkloadSpec(string Id, string Title, string Unit, double UnitScale, double WorkPerIteration, bool SkipInQuick,
    Func<IBenchStep> CreateFovea, Func<IBenchStep> CreateTorch)
{
    /// <summary>A row outside the issue's table (a breakdown of another row): run only when a --filter names it.</summary>
    public bool Diagnostic { get; init; }

    public IBenchStep Create(Side side) => side == Side.Fovea ? CreateFovea() : CreateTorch();

    /// <summary>Throughput in <see cref="Unit"/> of <paramref name="iterations"/> iterations that took <paramref name="seconds"/>.</summary>
    public double Throughput(long iterations, double seconds) => WorkPerIteration * iterations / seconds / UnitScale;
}

/// <summary>A peak-memory row: one workload run alone in a fresh child process per side.</summary>
public sealed record MemorySpec(string Id, string Title, string WorkloadId, bool SkipInQuick);

/// <summary>A Conv2d case of the issue: input (N, C, H, W), K filters of Kernel x Kernel, stride, symmetric padding.</summary>
public sealed record ConvCase(string Label, int N, int C, int K, int H, int W, int Kernel, int Stride, int Padding)
{
    public int OutH => (H + 2 * Padding - Kernel) / Stride + 1;
    public int OutW => (W + 2 * Padding - Kernel) / Stride + 1;

    /// <summary>Forward FLOPs, 2 per multiply-add: 2·N·K·OutH·OutW·C·Kernel² (the bias add is not counted).</summary>
    public double ForwardFlops => 2.0 * N * K * OutH * OutW * C * Kernel * Kernel;

    public string Shape => $"N={N} {C}→{K} {H}x{W} k{Kernel}{(Stride != 1 ? $" s{Stride}" : "")}{(Padding != 0 ? $" p{Padding}" : "")}";
}

/// <summary>Every workload of issue 3, item 5, in table order.</summary>
public static class Catalog
{
    public static IReadOnlyList<ConvCase> ConvCases { get; } =
    [
        new("a", 64, 1, 6, 28, 28, 5, 1, 0),
        new("b", 32, 64, 64, 56, 56, 3, 1, 1),
        new("c", 32, 128, 128, 28, 28, 3, 1, 1),
        new("d", 32, 256, 256, 14, 14, 3, 1, 1),
        new("e", 8, 3, 64, 224, 224, 7, 2, 3),
        new("f", 32, 256, 64, 28, 28, 1, 1, 0),
    ];

    /// <summary>
    /// The distinct convolutions of ResNet-18 at 224x224, batch 1 (stem, the 3x3 convs of each stage, the stride-2 first
    /// convs and 1x1 downsamples): diagnostic rows that show where the batch-1 inference row's time goes.
    /// </summary>
    public static IReadOnlyList<ConvCase> ResNetBatchOneConvCases { get; } =
    [
        new("stem", 1, 3, 64, 224, 224, 7, 2, 3),
        new("l1", 1, 64, 64, 56, 56, 3, 1, 1),
        new("l2-s2", 1, 64, 128, 56, 56, 3, 2, 1),
        new("l2", 1, 128, 128, 28, 28, 3, 1, 1),
        new("l3-s2", 1, 128, 256, 28, 28, 3, 2, 1),
        new("l3", 1, 256, 256, 14, 14, 3, 1, 1),
        new("l4-s2", 1, 256, 512, 14, 14, 3, 2, 1),
        new("l4", 1, 512, 512, 7, 7, 3, 1, 1),
        new("l4-down", 1, 256, 512, 14, 14, 1, 2, 0),
    ];

    /// <summary>The elementwise workloads' input, (N, C, H, W).</summary>
    public static readonly int[] PoolShape = [32, 64, 112, 112];

    public const int LeNetBatch = 64;
    public const int ResNetTrainBatch = 16;
    public const int ResNetImageSize = 224;

    public static IReadOnlyList<WorkloadSpec> Workloads { get; } = Build();

    public static IReadOnlyList<MemorySpec> MemoryRows { get; } =
    [
        new("resnet18-train-b16-memory", $"ResNet-18 train step b{ResNetTrainBatch} peak memory", "resnet18-train-b16", SkipInQuick: true),
    ];

    public static WorkloadSpec Get(string id) =>
        Workloads.FirstOrDefault(w => w.Id == id) ?? throw new ArgumentException($"Unknown workload '{id}'.", nameof(id));

    private static List<WorkloadSpec> Build()
    {
        const double giga = 1e9;
        var list = new List<WorkloadSpec>();
        foreach (int n in new[] { 512, 1024, 2048 })
            list.Add(new($"sgemm-{n}", $"SGEMM {n}³", "GFLOP/s", giga, 2.0 * n * n * n, SkipInQuick: n == 2048,
                () => new FoveaSgemm(n), () => new TorchSgemm(n)));

        foreach (var c in ConvCases)
        {
            list.Add(new($"conv-{c.Label}-fwd", $"Conv2d ({c.Label}) {c.Shape} fwd", "GFLOP/s", giga, c.ForwardFlops, SkipInQuick: false,
                () => new FoveaConv(c, backward: false), () => new TorchConv(c, backward: false)));
            // Backward computes the input and weight gradients: two more GEMMs of the forward's size.
            list.Add(new($"conv-{c.Label}-fwdbwd", $"Conv2d ({c.Label}) {c.Shape} fwd+bwd", "GFLOP/s", giga, 3 * c.ForwardFlops, SkipInQuick: false,
                () => new FoveaConv(c, backward: true), () => new TorchConv(c, backward: true)));
        }

        foreach (var c in ResNetBatchOneConvCases)
            list.Add(new($"rn18-b1-{c.Label}", $"ResNet-18 b1 conv {c.Label} {c.Shape} fwd", "GFLOP/s", giga, c.ForwardFlops, SkipInQuick: true,
                () => new FoveaConv(c, backward: false), () => new TorchConv(c, backward: false)) { Diagnostic = true });

        double elements = PoolShape.Aggregate(1.0, (a, b) => a * b);
        string shape = string.Join("x", PoolShape);
        // Bytes moved: the float32 input read once plus the output written once.
        list.Add(new("maxpool", $"MaxPool2d 2x2 s2 on {shape}", "GB/s", giga, 4 * (elements + elements / 4), SkipInQuick: false,
            () => new FoveaElementwise(ElementwiseKind.MaxPool), () => new TorchElementwise(ElementwiseKind.MaxPool)));
        list.Add(new("relu", $"ReLU on {shape}", "GB/s", giga, 4 * (elements + elements), SkipInQuick: false,
            () => new FoveaElementwise(ElementwiseKind.Relu), () => new TorchElementwise(ElementwiseKind.Relu)));

        list.Add(new("lenet5-train-b64", $"LeNet-5 train step b{LeNetBatch} (SGD momentum)", "images/s", 1, LeNetBatch, SkipInQuick: false,
            () => new FoveaTraining(ModelKind.LeNet5, LeNetBatch), () => new TorchTraining(ModelKind.LeNet5, LeNetBatch)));
        list.Add(new("resnet18-infer-b1", $"ResNet-18 inference {ResNetImageSize}² b1", "images/s", 1, 1, SkipInQuick: false,
            () => new FoveaInference(1), () => new TorchInference(1)));
        list.Add(new("resnet18-infer-b16", $"ResNet-18 inference {ResNetImageSize}² b16", "images/s", 1, 16, SkipInQuick: true,
            () => new FoveaInference(16), () => new TorchInference(16)));
        list.Add(new("resnet18-train-b16", $"ResNet-18 train step {ResNetImageSize}² b{ResNetTrainBatch} (SGD momentum)", "images/s", 1, ResNetTrainBatch, SkipInQuick: true,
            () => new FoveaTraining(ModelKind.ResNet18, ResNetTrainBatch), () => new TorchTraining(ModelKind.ResNet18, ResNetTrainBatch)));
        return list;
    }
}

public enum ElementwiseKind { MaxPool, Relu }

public enum ModelKind { LeNet5, ResNet18 }
