using Fovea.Optim;

namespace Fovea.Tests.Memory;

/// <summary>
/// A small residual conv net, written with the functional API so that its graph holds every case the
/// gradient recycling must get right: a residual add (one gradient passed through to two inputs), views
/// (reshape/flatten share storage), a tensor used twice (x·x), a leaf used by several ops (the first conv's
/// weight), batch norm, ReLU, max pooling, a linear layer and cross-entropy. Its activations are large
/// enough (16·32·32·2 = 32768 floats and more) to go through the StoragePool.
/// </summary>
internal sealed class SmallResidualNet
{
    public const int Batch = 2, Channels = 16, Size = 32, Classes = 10;
    private readonly Tensor conv1, conv2, gamma, beta, classifier, bias;
    private readonly int[] labels = [3, 7];

    public SmallResidualNet(ulong seed = 5)
    {
        var generator = new Generator(seed);
        conv1 = (Tensor.Randn(new Shape([Channels, 3, 3, 3]), generator) * 0.2f).Detach().RequiresGradient();
        conv2 = (Tensor.Randn(new Shape([Channels, Channels, 3, 3]), generator) * 0.1f).Detach().RequiresGradient();
        gamma = Tensor.Ones(new Shape([Channels])).RequiresGradient();
        beta = Tensor.Zeros(Channels).RequiresGradient();
        classifier = (Tensor.Randn(new Shape([Classes, Channels * (Size / 2) * (Size / 2)]), generator) * 0.01f).Detach().RequiresGradient();
        bias = Tensor.Zeros(Classes).RequiresGradient();
        Input = Tensor.Randn(new Shape([Batch, 3, Size, Size]), generator);
    }

    public Tensor Input { get; }
    public Tensor[] Parameters => [conv1, conv2, gamma, beta, classifier, bias];

    public Tensor Loss(Tensor input)
    {
        var h = F.Relu(F.Conv2d(input, conv1, padding: 1));                       // (2, 16, 32, 32)
        var branch = F.BatchNorm(F.Conv2d(h, conv2, padding: 1), null, null, gamma, beta, training: true);
        var sum = F.Relu(h + branch);                                             // residual: add passes its gradient to both
        var squared = sum * sum * 0.1f + sum;                                    // one tensor used twice
        var viewed = squared.Reshape(Batch, Channels, Size * Size).Reshape(Batch, Channels, Size, Size); // views
        var pooled = F.MaxPool2d(viewed, 2, 2).Flatten(1);
        // conv1 is used a second time: its leaf gets gradients from two places.
        var again = F.Conv2d(input, conv1, padding: 1).Mean();
        return F.CrossEntropy(F.Linear(pooled, classifier, bias), labels) + again;
    }

    /// <summary>Runs SGD steps and returns, per step, the loss and a copy of every parameter's gradient.</summary>
    public List<(float Loss, float[][] Grads)> Train(int steps, bool scoped)
    {
        var optimizer = new Sgd(Parameters, lr: 0.05f, momentum: 0.9f);
        var history = new List<(float, float[][])>();
        for (int step = 0; step < steps; step++)
        {
            var scope = scoped ? TensorScope.Begin() : null;
            optimizer.ZeroGrad();
            var loss = Loss(Input);
            loss.Backward();
            history.Add((loss.Item(), Parameters.Select(p => p.Grad!.ToArray()).ToArray()));
            optimizer.Step();
            scope?.Dispose();
        }
        return history;
    }

    /// <summary>One training step without reading any gradient (so ZeroGrad may recycle them).</summary>
    public void Step(Sgd optimizer, bool scoped)
    {
        using var scope = scoped ? TensorScope.Begin() : null;
        optimizer.ZeroGrad();
        Loss(Input).Backward();
        optimizer.Step();
    }
}
