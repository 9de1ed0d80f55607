using Fovea.Nn;

namespace Fovea.Vision.Models;

/// <summary>LeNet-5 (LeCun et al., 1998) with ReLU and max pooling, for 1 x 28 x 28 images.</summary>
public static class LeNet
{
    /// <summary>The network; its state-dict names are "0.weight", "0.bias", "3.weight", ... (Sequential indices).</summary>
    public static Sequential LeNet5(int numClasses = 10, int inChannels = 1) => new(
        new Conv2d(inChannels, 6, 5, padding: Padding.Same), new ReLU(), new MaxPool2d(2),   // (N, C, 28, 28) -> (N, 6, 28, 28) -> (N, 6, 14, 14)
        new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2),                                   // -> (N, 16, 10, 10) -> (N, 16, 5, 5)
        new Flatten(),                                                                        // -> (N, 400)
        new Linear(16 * 5 * 5, 120), new ReLU(),
        new Linear(120, 84), new ReLU(),
        new Linear(84, numClasses));                                                          // -> (N, numClasses) logits
}
