using System.Text.Json;
using Fovea.Vision.Models;

namespace Fovea.Tests.Vision.Zoo;

/// <summary>
/// Every zoo model built at full size has torchvision's state dict: the same names, in the same order, with the
/// same shapes (tests/golden/zoo/state_dict_shapes.json, written by tools/golden/zoo.py from torchvision 0.14),
/// and exactly torchvision's parameter count.
/// </summary>
public sealed class ZooStructureTests
{
    /// <summary>torchvision's parameter counts (sum of numel over parameters; 1000 classes, resnet_mnist 10).</summary>
    public static TheoryData<string, long> ParameterCounts => new()
    {
        { "alexnet", 61_100_840 },
        { "vgg11", 132_863_336 }, { "vgg11_bn", 132_868_840 },
        { "vgg13", 133_047_848 }, { "vgg13_bn", 133_053_736 },
        { "vgg16", 138_357_544 }, { "vgg16_bn", 138_365_992 },
        { "vgg19", 143_667_240 }, { "vgg19_bn", 143_678_248 },
        { "resnet18", 11_689_512 }, { "resnet34", 21_797_672 }, { "resnet50", 25_557_032 },
        { "resnet101", 44_549_160 }, { "resnet152", 60_192_808 },
        { "googlenet", 6_624_904 }, { "googlenet_aux", 13_004_888 },
        { "resnet_mnist", 174_970 },
    };

    private static readonly Lazy<JsonElement> Shapes = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(ZooGolden.CommittedDirectory, "state_dict_shapes.json"))).RootElement);

    [Theory]
    [MemberData(nameof(ParameterCounts))]
    public void StateDictAndParameterCountEqualTorchvision(string name, long parameters)
    {
        var model = ModelZoo.Create(name);
        Assert.Equal(parameters, model.ParameterCount());

        var expected = Shapes.Value.GetProperty(name);
        Assert.Equal(parameters, expected.GetProperty("parameters").GetInt64());
        var expectedEntries = expected.GetProperty("entries").EnumerateArray()
            .Select(e => $"{e[0].GetString()} {new Shape(e[1].EnumerateArray().Select(d => d.GetInt32()).ToArray())}").ToList();
        var entries = model.StateDict().Select(kv => $"{kv.Key} {kv.Value.Shape}").ToList();
        Assert.Equal(expectedEntries, entries);
    }

    [Fact]
    public void EveryZooModelHasItsParameterCountTested()
    {
        var tested = ParameterCounts.Select(row => (string)row[0]).Append("lenet5").Order().ToList();
        // Other tests register throw-away models named "test-..." in the same process.
        var builtIn = ModelZoo.Names.Where(name => !name.StartsWith("test-", StringComparison.Ordinal));
        Assert.Equal(tested, builtIn.Order().ToList());
    }
}
