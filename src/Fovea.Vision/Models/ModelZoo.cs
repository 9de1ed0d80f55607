using Fovea.Nn;

namespace Fovea.Vision.Models;

/// <summary>
/// The models by name, as the CLI and users ask for them ("lenet5", "resnet18", ...). Each entry
/// builds a freshly initialised model for a number of classes; parameter and buffer names follow
/// torchvision's state dicts so that PyTorch weights load unchanged.
/// </summary>
public static class ModelZoo
{
    /// <summary>A model builder and the input shape (C, H, W) it is usually run on.</summary>
    public sealed record Entry(string Name, Func<int, Module> Create, Shape DefaultInput, int DefaultClasses, string Description);

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.OrdinalIgnoreCase);

    static ModelZoo()
    {
        Register(new Entry("lenet5", classes => LeNet.LeNet5(classes), new Shape(1, 28, 28), 10, "LeNet-5 with ReLU and max pooling"));
        Register(new Entry("resnet_mnist", classes => ResNet.ResNetMnist(classes), new Shape(1, 28, 28), 10,
            "Small ResNet for 28x28 grey images: 3x3 stem, three stages of two BasicBlocks (16, 32, 64 channels)"));

        var imageNet = new Shape(3, 224, 224);
        Register(new Entry("alexnet", classes => new AlexNet(classes), imageNet, 1000, "AlexNet (torchvision)"));
        foreach (int depth in Vgg.Configurations.Keys)
            foreach (bool batchNorm in new[] { false, true })
                Register(new Entry($"vgg{depth}{(batchNorm ? "_bn" : "")}", classes => Vgg.Create(depth, batchNorm, classes), imageNet, 1000,
                    $"VGG-{depth}{(batchNorm ? " with batch norm" : "")} (torchvision)"));
        Register(new Entry("resnet18", classes => ResNet.ResNet18(classes), imageNet, 1000, "ResNet-18, BasicBlock [2, 2, 2, 2] (torchvision)"));
        Register(new Entry("resnet34", classes => ResNet.ResNet34(classes), imageNet, 1000, "ResNet-34, BasicBlock [3, 4, 6, 3] (torchvision)"));
        Register(new Entry("resnet50", classes => ResNet.ResNet50(classes), imageNet, 1000, "ResNet-50, Bottleneck [3, 4, 6, 3] (torchvision)"));
        Register(new Entry("resnet101", classes => ResNet.ResNet101(classes), imageNet, 1000, "ResNet-101, Bottleneck [3, 4, 23, 3] (torchvision)"));
        Register(new Entry("resnet152", classes => ResNet.ResNet152(classes), imageNet, 1000, "ResNet-152, Bottleneck [3, 8, 36, 3] (torchvision)"));
        Register(new Entry("googlenet", classes => new GoogLeNet(classes), imageNet, 1000,
            "GoogLeNet / Inception v1 without auxiliary classifiers (torchvision's pretrained layout)"));
        Register(new Entry("googlenet_aux", classes => new GoogLeNet(classes, auxLogits: true), imageNet, 1000,
            "GoogLeNet / Inception v1 with the auxiliary classifiers aux1, aux2 (torchvision's googlenet() default)"));
    }

    /// <summary>Adds (or replaces) a model under its name.</summary>
    public static void Register(Entry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Entries[entry.Name] = entry;
    }

    public static IEnumerable<string> Names => Entries.Keys.Order(StringComparer.Ordinal);

    public static bool TryGet(string name, out Entry entry) => Entries.TryGetValue(name, out entry!);

    /// <summary>The entry for <paramref name="name"/>, or an ArgumentException listing the known names.</summary>
    public static Entry Get(string name) =>
        TryGet(name, out var entry) ? entry
        : throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", Names)}.", nameof(name));

    /// <summary>A new model; numClasses defaults to the entry's (e.g. 1000 for ImageNet models).</summary>
    public static Module Create(string name, int? numClasses = null)
    {
        var entry = Get(name);
        int classes = numClasses ?? entry.DefaultClasses;
        if (classes <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), $"numClasses must be > 0, got {classes}.");
        return entry.Create(classes);
    }
}
