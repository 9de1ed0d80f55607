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
