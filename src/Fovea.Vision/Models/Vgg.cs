using Fovea.Nn;

namespace Fovea.Vision.Models;

/// <summary>
/// VGG (Simonyan and Zisserman, 2014) with torchvision's module tree: features (a Sequential of 3x3 convolutions,
/// padding 1, each followed by [BatchNorm2d and] ReLU, and 2x2 max pools), avgpool (adaptive, to 7x7: any input
/// of at least 32x32 works with five pools), classifier (Linear(C·7·7, 4096), ReLU, Dropout, Linear(4096, 4096),
/// ReLU, Dropout, Linear(4096, numClasses)). Names: "features.0.weight", "classifier.6.bias", …
/// Initialisation as torchvision: convolutions kaiming_normal_(fan_out, relu) with bias 0, BN γ = 1, β = 0,
/// Linear N(0, 0.01²) with bias 0. x: (N, inChannels, H, W) -> logits (N, numClasses).
/// </summary>
public sealed class Vgg : Module
{
    /// <summary>The marker for a 2x2 max pool in a configuration (torchvision's "M").</summary>
    public const int Pool = 0;

    private const int M = Pool;

    /// <summary>torchvision's configurations by depth: 11 (A), 13 (B), 16 (D), 19 (E); numbers are conv channels.</summary>
    public static IReadOnlyDictionary<int, IReadOnlyList<int>> Configurations { get; } = new Dictionary<int, IReadOnlyList<int>>
    {
        [11] = new[] { 64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M }.AsReadOnly(),
        [13] = new[] { 64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M }.AsReadOnly(),
        [16] = new[] { 64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M }.AsReadOnly(),
        [19] = new[] { 64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M }.AsReadOnly(),
    };

    private readonly Sequential features, classifier;
    private readonly AdaptiveAvgPool2d avgpool;

    /// <param name="configuration">Conv channel counts and <see cref="Pool"/> markers, in order (see <see cref="Configurations"/>).</param>
    /// <param name="batchNorm">BatchNorm2d after every convolution (the "_bn" models).</param>
    /// <param name="numClasses">Outputs of the last Linear.</param>
    /// <param name="inChannels">Channels of the input images.</param>
    /// <param name="hiddenFeatures">Width of the two hidden Linear layers (torchvision: 4096).</param>
    /// <param name="dropout">Dropout probability before the second and third Linear (torchvision: 0.5).</param>
    /// <param name="generator">Random source of the initialisation and of the dropout masks.</param>
    public Vgg(IReadOnlyList<int> configuration, bool batchNorm, int numClasses = 1000, int inChannels = 3, int hiddenFeatures = 4096,
        float dropout = 0.5f, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!configuration.Any(v => v > 0) || configuration.Any(v => v < 0))
            throw new ArgumentException($"configuration must hold channel counts > 0 (at least one) and Pool markers ({Pool}); got [{string.Join(", ", configuration)}].", nameof(configuration));
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), $"numClasses must be > 0, got {numClasses}.");
        if (inChannels <= 0) throw new ArgumentOutOfRangeException(nameof(inChannels), $"inChannels must be > 0, got {inChannels}.");
        if (hiddenFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenFeatures), $"hiddenFeatures must be > 0, got {hiddenFeatures}.");
        Configuration = configuration.ToArray();
        BatchNorm = batchNorm;

        // torchvision's make_layers.
        features = RegisterModule("features", new Sequential());
        int channels = inChannels;
        foreach (int v in configuration)
        {
            if (v == Pool) { features.Add(new MaxPool2d(2, stride: 2)); continue; }
            features.Add(new Conv2d(channels, v, 3, padding: 1, generator: generator));
            if (batchNorm) features.Add(new BatchNorm2d(v));
            features.Add(new ReLU());
            channels = v;
        }
        avgpool = RegisterModule("avgpool", new AdaptiveAvgPool2d(7, 7));
        classifier = RegisterModule("classifier", new Sequential(
            new Linear(channels * 7 * 7, hiddenFeatures, generator: generator), new ReLU(), new Dropout(dropout, generator),
            new Linear(hiddenFeatures, hiddenFeatures, generator: generator), new ReLU(), new Dropout(dropout, generator),
            new Linear(hiddenFeatures, numClasses, generator: generator)));

        TorchvisionInit.KaimingConvolutions(this, generator);
        TorchvisionInit.BatchNormOnesZeros(this);
        TorchvisionInit.NormalLinears(this, 0.01f, zeroBias: true, generator);
    }

    public IReadOnlyList<int> Configuration { get; }
    public bool BatchNorm { get; }
    public Sequential Features => features;
    public Sequential Classifier => classifier;

    // x: (N, C, H, W) -> features (N, 512, H/32, W/32) -> (N, 512, 7, 7) -> (N, 25088) -> (N, classes)
    protected override Tensor OnForward(Tensor input) =>
        classifier.Forward(avgpool.Forward(features.Forward(input)).Flatten(1));

    /// <summary>torchvision's vgg{depth}[_bn] for depth 11, 13, 16 or 19.</summary>
    public static Vgg Create(int depth, bool batchNorm, int numClasses = 1000, Generator? generator = null) =>
        Configurations.TryGetValue(depth, out var configuration)
            ? new Vgg(configuration, batchNorm, numClasses, generator: generator)
            : throw new ArgumentOutOfRangeException(nameof(depth), $"VGG depth must be one of {string.Join(", ", Configurations.Keys)}, got {depth}.");
}
