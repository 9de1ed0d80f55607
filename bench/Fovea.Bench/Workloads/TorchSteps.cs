using Fovea.Bench.Models;
using TorchSharp;
using static TorchSharp.torch;
using TorchTensor = TorchSharp.torch.Tensor;

namespace Fovea.Bench.Workloads;

// The LibTorch side of every workload, through TorchSharp. Each iteration runs inside a dispose scope so
// that its temporaries are freed at once (TorchSharp's idiom; without it they wait for the GC finalizer).

internal static class TorchData
{
    public static TorchTensor Randn(params long[] shape) => torch.randn(shape);
}

internal sealed class TorchSgemm(int n) : IBenchStep
{
    private readonly TorchTensor a = TorchData.Randn(n, n), b = TorchData.Randn(n, n);

    public void Run()
    {
        using var scope = torch.NewDisposeScope();
        torch.mm(a, b);
    }

    public void Dispose() { a.Dispose(); b.Dispose(); }
}

/// <summary>conv2d with bias; with <c>backward</c>, torch.autograd.grad for the input and weight (no accumulation).</summary>
internal sealed class TorchConv : IBenchStep
{
    private readonly ConvCase shape;
    private readonly bool backward;
    private readonly TorchTensor input, weight, bias, outputGradient;

    public TorchConv(ConvCase shape, bool backward)
    {
        (this.shape, this.backward) = (shape, backward);
        input = TorchData.Randn(shape.N, shape.C, shape.H, shape.W).requires_grad_(backward);
        weight = TorchData.Randn(shape.K, shape.C, shape.Kernel, shape.Kernel).requires_grad_(backward);
        bias = TorchData.Randn(shape.K);
        outputGradient = TorchData.Randn(shape.N, shape.K, shape.OutH, shape.OutW);
    }

    public void Run()
    {
        using var scope = torch.NewDisposeScope();
        var output = nn.functional.conv2d(input, weight, bias, [shape.Stride, shape.Stride], [shape.Padding, shape.Padding]);
        if (backward) torch.autograd.grad([output], [input, weight], [outputGradient]);
    }

    public void Dispose() { input.Dispose(); weight.Dispose(); bias.Dispose(); outputGradient.Dispose(); }
}

internal sealed class TorchElementwise(ElementwiseKind kind) : IBenchStep
{
    private readonly TorchTensor input = TorchData.Randn(Catalog.PoolShape.Select(d => (long)d).ToArray());

    public void Run()
    {
        using var scope = torch.NewDisposeScope();
        if (kind == ElementwiseKind.MaxPool) nn.functional.max_pool2d(input, 2, 2);
        else nn.functional.relu(input);
    }

    public void Dispose() => input.Dispose();
}

internal static class TorchModelFactory
{
    public static nn.Module<TorchTensor, TorchTensor> Create(ModelKind kind) =>
        kind == ModelKind.LeNet5 ? TorchModels.LeNet5() : new TorchResNet18();

    public static TorchTensor Input(ModelKind kind, int batch) => kind == ModelKind.LeNet5
        ? TorchData.Randn(batch, 1, 28, 28)
        : TorchData.Randn(batch, 3, Catalog.ResNetImageSize, Catalog.ResNetImageSize);

    public static int Classes(ModelKind kind) => kind == ModelKind.LeNet5 ? 10 : 1000;
}

/// <summary>One SGD (lr 0.01, momentum 0.9) step: zero_grad, forward, cross-entropy, backward, step.</summary>
internal sealed class TorchTraining : IBenchStep
{
    private readonly nn.Module<TorchTensor, TorchTensor> model;
    private readonly optim.Optimizer optimizer;
    private readonly nn.Module<TorchTensor, TorchTensor, TorchTensor> loss = nn.CrossEntropyLoss();
    private readonly TorchTensor input, labels;

    public TorchTraining(ModelKind kind, int batch)
    {
        model = TorchModelFactory.Create(kind);
        model.train();
        optimizer = optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        input = TorchModelFactory.Input(kind, batch);
        labels = torch.randint(TorchModelFactory.Classes(kind), [batch], dtype: ScalarType.Int64);
    }

    public void Run()
    {
        using var scope = torch.NewDisposeScope();
        optimizer.zero_grad();
        var logits = model.forward(input);
        loss.forward(logits, labels).backward();
        optimizer.step();
    }

    public void Dispose() { model.Dispose(); input.Dispose(); labels.Dispose(); }
}

/// <summary>ResNet-18 in eval mode under inference_mode (LibTorch's fastest forward-only setting).</summary>
internal sealed class TorchInference : IBenchStep
{
    private readonly nn.Module<TorchTensor, TorchTensor> model = new TorchResNet18();
    private readonly TorchTensor input;

    public TorchInference(int batch)
    {
        model.eval();
        input = TorchModelFactory.Input(ModelKind.ResNet18, batch);
    }

    public void Run()
    {
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        model.forward(input);
    }

    public void Dispose() { model.Dispose(); input.Dispose(); }
}
