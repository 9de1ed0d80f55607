using Fovea.Bench.Models;
using Fovea.Nn;
using Fovea.Optim;
using Fovea.Vision.Models;

namespace Fovea.Bench.Workloads;

// The Fovea side of every workload, through Fovea's public API as a user would call it.
// Forward-only workloads run under Autograd.NoGrad(), as LibTorch's run without recording.

internal static class FoveaData
{
    private static readonly Generator Random = new(1234);

    public static Tensor Randn(params int[] shape) => Tensor.Randn(new Shape(shape), Random);

    public static int[] Labels(int count, int classes)
    {
        var rng = new System.Random(4321);
        return Enumerable.Range(0, count).Select(_ => rng.Next(classes)).ToArray();
    }
}

/// <summary>C = A·B with A, B: (n, n), a new output each time (as torch.mm).</summary>
internal sealed class FoveaSgemm(int n) : IBenchStep
{
    private readonly Tensor a = FoveaData.Randn(n, n), b = FoveaData.Randn(n, n);

    public void Run()
    {
        using var scope = TensorScope.Begin();
        using (Autograd.NoGrad()) Tensor.MatMul2d(a, b);
    }

    public void Dispose() { }
}

/// <summary>
/// F.Conv2d with bias; with <c>backward</c> the input and weight gradients are computed too (the bias
/// takes no gradient), from a fixed output gradient. Gradients are cleared before each iteration so that
/// nothing accumulates.
/// </summary>
internal sealed class FoveaConv : IBenchStep
{
    private readonly ConvCase shape;
    private readonly bool backward;
    private readonly Tensor input, weight, bias, outputGradient;

    public FoveaConv(ConvCase shape, bool backward)
    {
        (this.shape, this.backward) = (shape, backward);
        input = FoveaData.Randn(shape.N, shape.C, shape.H, shape.W);          // x: (N, C, H, W)
        weight = FoveaData.Randn(shape.K, shape.C, shape.Kernel, shape.Kernel); // w: (K, C, k, k)
        bias = FoveaData.Randn(shape.K);
        outputGradient = FoveaData.Randn(shape.N, shape.K, shape.OutH, shape.OutW);
        input.RequiresGrad = backward;
        weight.RequiresGrad = backward;
    }

    public void Run()
    {
        // The iteration's storage goes back to Fovea's pool at the end, as the LibTorch side's NewDisposeScope frees its tensors.
        using var scope = TensorScope.Begin();
        if (!backward)
        {
            using (Autograd.NoGrad()) Forward();
            return;
        }
        input.Grad = null;
        weight.Grad = null;
        Forward().Backward(outputGradient);
    }

    private Tensor Forward() => F.Conv2d(input, weight, bias, shape.Stride, shape.Padding);

    public void Dispose() { }
}

internal sealed class FoveaElementwise(ElementwiseKind kind) : IBenchStep
{
    private readonly Tensor input = FoveaData.Randn(Catalog.PoolShape);

    public void Run()
    {
        using var scope = TensorScope.Begin();
        using (Autograd.NoGrad())
        {
            if (kind == ElementwiseKind.MaxPool) F.MaxPool2d(input, 2, 2);
            else F.Relu(input);
        }
    }

    public void Dispose() { }
}

internal static class FoveaModels
{
    public static Module Create(ModelKind kind) => kind switch
    {
        ModelKind.LeNet5 => LeNet.LeNet5(),
        _ => ResNet.ResNet18(),   // the model zoo's, torchvision's layout and names
    };

    public static Tensor Input(ModelKind kind, int batch) => kind == ModelKind.LeNet5
        ? FoveaData.Randn(batch, 1, 28, 28)
        : FoveaData.Randn(batch, 3, Catalog.ResNetImageSize, Catalog.ResNetImageSize);

    public static int Classes(ModelKind kind) => kind == ModelKind.LeNet5 ? 10 : 1000;
}

/// <summary>One SGD (lr 0.01, momentum 0.9) step on a fixed batch inside a TensorScope: zero grads, forward, cross-entropy, backward, update.</summary>
internal sealed class FoveaTraining : IBenchStep
{
    private readonly Module model;
    private readonly Sgd optimizer;
    private readonly CrossEntropyLoss loss = new();
    private readonly Tensor input;
    private readonly int[] labels;

    public FoveaTraining(ModelKind kind, int batch)
    {
        model = FoveaModels.Create(kind);
        model.Train();
        optimizer = new Sgd(model.Parameters(), lr: 0.01f, momentum: 0.9f);
        input = FoveaModels.Input(kind, batch);
        labels = FoveaData.Labels(batch, FoveaModels.Classes(kind));
    }

    public void Run()
    {
        // The step's storage goes back to Fovea's pool at the end (as the LibTorch side's NewDisposeScope).
        using var scope = TensorScope.Begin();
        optimizer.ZeroGrad();
        var logits = model.Forward(input);
        loss.Forward(logits, labels).Backward();
        optimizer.Step();
    }

    public void Dispose() { }
}

/// <summary>ResNet-18 in eval mode, forward only, without gradient recording.</summary>
internal sealed class FoveaInference : IBenchStep
{
    private readonly Module model = FoveaModels.Create(ModelKind.ResNet18);
    private readonly Tensor input;

    public FoveaInference(int batch)
    {
        model.Eval();
        input = FoveaModels.Input(ModelKind.ResNet18, batch);
    }

    public void Run()
    {
        using var scope = TensorScope.Begin();
        using (Autograd.NoGrad()) model.Forward(input);
    }

    public void Dispose() { }
}
