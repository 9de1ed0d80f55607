using Fovea.Nn;

namespace Fovea.Cli.Demo;

/// <summary>LeNet-5 (LeCun et al., 1998) with ReLU and max pooling, for 1 x 28 x 28 images.</summary>
internal static class LeNet
{
    public static Sequential Create(int classCount) => new(
        new Conv2d(1, 6, 5, padding: Padding.Same), new ReLU(), new MaxPool2d(2),   // (N, 1, 28, 28) -> (N, 6, 28, 28) -> (N, 6, 14, 14)
        new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2),                          // -> (N, 16, 10, 10) -> (N, 16, 5, 5)
        new Flatten(),                                                               // -> (N, 400)
        new Linear(16 * 5 * 5, 120), new ReLU(),
        new Linear(120, 84), new ReLU(),
        new Linear(84, classCount));                                                 // -> (N, classCount) logits
}
