using Fovea.Nn;

namespace Fovea.Vision.Models;

/// <summary>
/// AlexNet (Krizhevsky et al., 2012) as torchvision builds it: features (conv 11x11/4 p2 → 64, ReLU, max pool 3/2,
/// conv 5x5 p2 → 192, ReLU, max pool 3/2, conv 3x3 p1 → 384, ReLU, → 256, ReLU, → 256, ReLU, max pool 3/2),
/// avgpool (adaptive, to 6x6: any input of at least 63x63 works), classifier (Dropout, Linear(256·6·6, 4096), ReLU,
/// Dropout, Linear(4096, 4096), ReLU, Linear(4096, numClasses)). Names "features.0.weight", "classifier.6.bias", …
/// torchvision keeps PyTorch's default initialisation here (U(±1/√fan_in) for weights and biases).
/// x: (N, 3, H, W) -> logits (N, numClasses).
/// </summary>
public sealed class AlexNet : Module
{
    private static readonly int[] ConvChannels = [64, 192, 384, 256, 256];
    private const int Hidden = 4096;

    private readonly Sequential features, classifier;
    private readonly AdaptiveAvgPool2d avgpool;

    /// <param name="numClasses">Outputs of the last Linear.</param>
    /// <param name="dropout">Dropout probability before the first two Linear layers (torchvision: 0.5).</param>
    /// <param name="widthDivisor">
    /// Divides every channel count and the hidden width (1: torchvision's AlexNet). A narrow AlexNet with the same
    /// layers, for tests and quick experiments; must divide 64.
    /// </param>
    /// <param name="generator">Random source of the initialisation and of the dropout masks.</param>
    public AlexNet(int numClasses = 1000, float dropout = 0.5f, int widthDivisor = 1, Generator? generator = null)
    {
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), $"numClasses must be > 0, got {numClasses}.");
        if (widthDivisor <= 0 || 64 % widthDivisor != 0)
            throw new ArgumentOutOfRangeException(nameof(widthDivisor), $"widthDivisor must divide 64 (1, 2, 4, …, 64), got {widthDivisor}.");
        var c = ConvChannels.Select(channels => channels / widthDivisor).ToArray();
        int hidden = Hidden / widthDivisor;
        features = RegisterModule("features", new Sequential(
            new Conv2d(3, c[0], 11, stride: 4, padding: 2, generator: generator), new ReLU(), new MaxPool2d(3, stride: 2),
            new Conv2d(c[0], c[1], 5, padding: 2, generator: generator), new ReLU(), new MaxPool2d(3, stride: 2),
            new Conv2d(c[1], c[2], 3, padding: 1, generator: generator), new ReLU(),
            new Conv2d(c[2], c[3], 3, padding: 1, generator: generator), new ReLU(),
            new Conv2d(c[3], c[4], 3, padding: 1, generator: generator), new ReLU(), new MaxPool2d(3, stride: 2)));
        avgpool = RegisterModule("avgpool", new AdaptiveAvgPool2d(6, 6));
        classifier = RegisterModule("classifier", new Sequential(
            new Dropout(dropout, generator), new Linear(c[4] * 6 * 6, hidden, generator: generator), new ReLU(),
            new Dropout(dropout, generator), new Linear(hidden, hidden, generator: generator), new ReLU(),
            new Linear(hidden, numClasses, generator: generator)));
    }

    public Sequential Features => features;
    public Sequential Classifier => classifier;

    // x: (N, 3, 224, 224) -> features (N, 256, 6, 6) -> (N, 9216) -> (N, classes)
    protected override Tensor OnForward(Tensor input) =>
        classifier.Forward(avgpool.Forward(features.Forward(input)).Flatten(1));
}
