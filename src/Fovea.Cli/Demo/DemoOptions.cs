namespace Fovea.Cli.Demo;

/// <summary>The settings of one `fovea demo` run.</summary>
/// <param name="DataDirectory">Where the Fashion-MNIST IDX files are; null to search for data/fashion-mnist-subset.</param>
/// <param name="SavePath">Where to save the trained weights (safetensors), or null.</param>
internal sealed record DemoOptions(
    int Epochs = 10,
    int BatchSize = 64,
    float LearningRate = 0.02f,
    float Momentum = 0.9f,
    ulong Seed = 0,
    string? DataDirectory = null,
    string? SavePath = null);
