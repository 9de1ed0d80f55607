using Fovea.Nn;
using Fovea.Vision.Models;

namespace Fovea.Tests.Shapes;

/// <summary>Module.Summary: LeNet-5 worked by hand, totals, side effects, branches, errors and the printed table.</summary>
public sealed class SummaryTests
{
    [Fact]
    public void LeNet5WorkedByHand()
    {
        var summary = LeNet.LeNet5().Summary(new Shape(1, 1, 28, 28));
        var layers = summary.Layers;

        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"], layers.Select(l => l.Name));
        Assert.Equal(["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU", "Linear", "ReLU", "Linear"], layers.Select(l => l.Type));
        Assert.Equal([new Shape(1, 6, 28, 28), new Shape(1, 6, 28, 28), new Shape(1, 6, 14, 14), new Shape(1, 16, 10, 10), new Shape(1, 16, 10, 10),
            new Shape(1, 16, 5, 5), new Shape(1, 400), new Shape(1, 120), new Shape(1, 120), new Shape(1, 84), new Shape(1, 84), new Shape(1, 10)],
            layers.Select(l => l.OutputShape));
        // (5·5·1 + 1)·6 = 156; (5·5·6 + 1)·16 = 2,416; (400 + 1)·120 = 48,120; (120 + 1)·84 = 10,164; (84 + 1)·10 = 850.
        Assert.Equal([156L, 0, 0, 2_416, 0, 0, 0, 48_120, 0, 10_164, 0, 850], layers.Select(l => l.Parameters));
        Assert.Equal(61_706, summary.TotalParameters);
        Assert.Equal(61_706, summary.TrainableParameters);
        Assert.Equal(0, summary.Buffers);
        // Convolutions: parameters × output positions (156·28·28 = 122,304; 2,416·10·10 = 241,600); FC: parameters once.
        Assert.Equal([122_304L, 0, 0, 241_600, 0, 0, 0, 48_120, 0, 10_164, 0, 850], layers.Select(l => l.Macs));
        Assert.Equal(423_038, summary.Macs);
        // Receptive fields 5, 6, 14, 16 (jumps 1, 2, 2, 4); Flatten and the FC layers have none.
        Assert.Equal([5, 5, 6, 14, 14, 16], layers.Take(6).Select(l => l.ReceptiveField![0]));
        Assert.Equal([1, 1, 2, 2, 2, 4], layers.Take(6).Select(l => l.Jump![1]));
        Assert.All(layers.Skip(6), l => Assert.Null(l.ReceptiveField));
        Assert.All(layers.Skip(6), l => Assert.Null(l.Jump));
        // Every output: 2·4,704 + 1,176 + 2·1,600 + 400 + 400 + 2·120 + 2·84 + 10 = 15,002 floats.
        Assert.Equal(4 * 15_002, summary.ActivationBytes);
        // torchinfo: twice the outputs of the layers with parameters, 2·(4,704 + 1,600 + 120 + 84 + 10) floats.
        Assert.Equal(8 * 6_518, summary.ForwardBackwardBytes);
        Assert.Equal(4 * 784, summary.InputBytes);
        Assert.Equal(4 * 61_706, summary.ParameterBytes);
    }

    [Fact]
    public void MultiplyAccumulatesScaleWithTheBatch()
    {
        var model = LeNet.LeNet5();
        Assert.Equal(3 * model.Summary(new Shape(1, 1, 28, 28)).Macs, model.Summary(new Shape(3, 1, 28, 28)).Macs);
    }

    [Fact]
    public void NothingChangesInTheModel()
    {
        var model = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2), new Dropout(0.5f), new Flatten(), new Linear(2 * 6 * 6, 3));
        var before = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        var summary = model.Summary(new Shape(2, 1, 8, 8));
        Assert.True(model.Training);
        Assert.All(model.Parameters(), p => Assert.Null(p.Grad));
        foreach (var (name, tensor) in model.StateDict()) Assert.Equal(before[name], tensor.ToArray());
        Assert.Equal(ParameterCounts.BatchNormBuffers(2), summary.Buffers);
        Assert.Equal(ParameterCounts.BatchNormBuffers(2), summary.Layers[1].Buffers);
        Assert.Equal(2 * 2 * 2, summary.Layers[1].Macs);   // scale and shift of 2 channels, 2 samples (torchinfo)

        // The hooks are gone: another forward pass adds no rows.
        int rows = summary.Layers.Count;
        model.Forward(Tensor.Zeros(2, 1, 8, 8));
        Assert.Equal(rows, summary.Layers.Count);

        // A mix of modes comes back as it was.
        model.Eval();
        model[2].Train();
        model.Summary(new Shape(1, 1, 8, 8));
        Assert.Equal([false, false, false, true, false, false], model.NamedModules().Select(m => m.Module.Training));
    }

    [Fact]
    public void FrozenParametersAreCountedAsNonTrainable()
    {
        var model = new Sequential(new Conv2d(1, 2, 3), new Flatten(), new Linear(2 * 2 * 2, 3));
        model[0].SetRequiresGrad(false);
        var summary = model.Summary(new Shape(1, 1, 4, 4));
        Assert.Equal(20 + 27, summary.TotalParameters);
        Assert.Equal(27, summary.TrainableParameters);
        Assert.Equal(20, summary.NonTrainableParameters);
        Assert.Equal(0, summary.Layers[0].TrainableParameters);
        Assert.Contains("20 (frozen)", summary.ToString());
    }

    [Fact]
    public void AModuleRunTwiceIsListedTwiceAndCountedOnce()
    {
        var block = new TestBasicBlock(2, 2, 1);
        var summary = block.Summary(new Shape(1, 2, 6, 6));
        var relus = summary.Layers.Where(l => l.Name == "relu").ToList();
        Assert.Equal(2, relus.Count);
        Assert.Equal([false, true], relus.Select(r => r.Repeated));
        Assert.Equal(block.ParameterCount(), summary.Layers.Sum(l => l.Parameters));
        Assert.Contains("(repeated)", summary.ToString());
    }

    [Fact]
    public void ResidualSumsAreTracedEvenInsideANoGradScope()
    {
        var model = new Sequential(new Conv2d(1, 4, 3, padding: 1), new TestBasicBlock(4, 4, 1), new Conv2d(4, 1, 3));
        int[] expected = [.. model.Summary(new Shape(1, 1, 12, 12)).Layers[^1].ReceptiveField!];
        Assert.Equal([9, 9], expected);   // 3, block 5 and 7 (sum with 3 → 7), then 9
        using (Autograd.NoGrad())
            Assert.Equal(expected, model.Summary(new Shape(1, 1, 12, 12)).Layers[^1].ReceptiveField!);
        Assert.True(Autograd.IsEnabled);
    }

    [Fact]
    public void ALayerOnItsOwnIsItsOnlyRow()
    {
        var summary = new Conv2d(3, 8, 3, stride: 2).Summary(new Shape(1, 3, 9, 9));
        var row = Assert.Single(summary.Layers);
        Assert.Equal("", row.Name);
        Assert.Equal(new Shape(1, 8, 4, 4), row.OutputShape);
        Assert.Equal([3, 3], row.ReceptiveField!);
        Assert.Equal([2, 2], row.Jump!);
        Assert.Contains("(model)", summary.ToString());
    }

    [Fact]
    public void NonSquareFieldsAndInputsWithoutSpatialDimensions()
    {
        var conv = new Sequential(new Conv2d(1, 1, (1, 3)), new Conv2d(1, 1, (3, 1), stride: (2, 1)));
        var rows = conv.Summary(new Shape(1, 1, 8, 8)).Layers;
        Assert.Equal([3, 3], rows[1].ReceptiveField!);
        Assert.Equal("3", ModelSummary.FormatPerDimension(rows[1].ReceptiveField));
        Assert.Equal([1, 3], rows[0].ReceptiveField!);
        Assert.Equal("1x3", ModelSummary.FormatPerDimension(rows[0].ReceptiveField));
        Assert.Equal("2x1", ModelSummary.FormatPerDimension(rows[1].Jump));

        var mlp = new Sequential(new Linear(4, 3), new ReLU()).Summary(new Shape(2, 4));
        Assert.All(mlp.Layers, l => Assert.Null(l.ReceptiveField));
        Assert.Equal(2 * 15, mlp.Macs);
    }

    [Fact]
    public void BadInputsAreRejectedNamingTheLayer()
    {
        var model = LeNet.LeNet5();
        var tooSmall = Assert.Throws<ArgumentException>(() => model.Summary(new Shape(1, 1, 8, 8)));
        Assert.Contains("Sequential.Summary((1, 1, 8, 8)): the forward pass failed after layer '2' (MaxPool2d, output (1, 6, 4, 4))", tooSmall.Message);
        Assert.Contains("larger than the padded input", tooSmall.Message);
        var channels = Assert.Throws<ArgumentException>(() => model.Summary(new Shape(1, 3, 28, 28)));
        Assert.Contains("in the first layer", channels.Message);
        Assert.Throws<ArgumentException>(() => model.Summary(new Shape()));
        Assert.Throws<ArgumentException>(() => model.Summary(new Shape(0, 1, 28, 28)));
        Assert.True(model.Training);
    }

    [Fact]
    public void TableListsTheLayersAndTotals()
    {
        var text = LeNet.LeNet5().Summary(new Shape(1, 1, 28, 28)).ToString();
        var lines = text.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        Assert.Equal("Sequential on input (1, 1, 28, 28)", lines[0]);
        Assert.Equal("Layer  Type       Output shape     Params  RF  Jump     MACs", lines[2]);
        Assert.Contains("0      Conv2d     (1, 6, 28, 28)      156   5     1  122,304", lines);
        Assert.Contains("7      Linear     (1, 120)         48,120   -     -   48,120", lines);
        Assert.Contains("Total params: 61,706", lines);
        Assert.Contains("Trainable params: 61,706", lines);
        Assert.Contains("Non-trainable params: 0", lines);
        Assert.Contains("Total MACs (mult-adds): 423,038 (0.42 M)", lines);
        Assert.Contains("Forward/backward pass size, as torchinfo (MB): 0.05", lines);
        Assert.Contains("Params size (MB): 0.25", lines);
        Assert.Equal("1.81 G", ModelSummary.Readable(1_814_083_944));
    }
}
