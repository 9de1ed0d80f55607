using Fovea.Nn;
using Fovea.Serialization;
using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Serialization;

/// <summary>
/// A state dict saved by PyTorch (tools/golden/state_dict.py: torchvision-style names, int64
/// num_batches_tracked) loads into the same network built from Fovea layers and reproduces
/// PyTorch's eval-mode output.
/// </summary>
public sealed class StateDictInteropTests
{
    private sealed class Block : Module
    {
        private readonly Conv2d conv1, conv2;
        private readonly BatchNorm2d bn1, bn2;

        public Block(int channels)
        {
            conv1 = RegisterModule("conv1", new Conv2d(channels, channels, 3, padding: 1, bias: false));
            bn1 = RegisterModule("bn1", new BatchNorm2d(channels));
            conv2 = RegisterModule("conv2", new Conv2d(channels, channels, 3, padding: 1, bias: false));
            bn2 = RegisterModule("bn2", new BatchNorm2d(channels));
        }

        // The residual block of MISSION.md §7: a^[l+2] = g(a^[l] + z^[l+2]).
        protected override Tensor OnForward(Tensor input) =>
            F.Relu(bn2.Forward(conv2.Forward(F.Relu(bn1.Forward(conv1.Forward(input))))) + input);
    }

    private sealed class SmallNet : Module
    {
        private readonly Module stem, layer1, head;

        public SmallNet()
        {
            var conv1 = RegisterModule("conv1", new Conv2d(3, 8, 5, stride: 2, padding: 2, bias: false));
            var bn1 = RegisterModule("bn1", new BatchNorm2d(8));
            var relu = RegisterModule("relu", new ReLU());
            var maxpool = RegisterModule("maxpool", new MaxPool2d(3, stride: 2, padding: 1));
            stem = new Sequential(conv1, bn1, relu, maxpool);
            layer1 = RegisterModule("layer1", new Sequential(new Block(8)));
            var avgpool = RegisterModule("avgpool", new AdaptiveAvgPool2d(1, 1));
            var fc = RegisterModule("fc", new Linear(8, 5));
            head = new Sequential(avgpool, new Flatten(), fc);
        }

        protected override Tensor OnForward(Tensor input) => head.Forward(layer1.Forward(stem.Forward(input)));
    }

    [Fact]
    public void PyTorchStateDictReproducesPyTorchOutput()
    {
        var directory = Path.Combine(GoldenCase.GoldenDirectory, "state_dict");
        var state = Safetensors.Read(Path.Combine(directory, "smallnet.safetensors"));
        var io = Safetensors.Read(Path.Combine(directory, "smallnet_io.safetensors"));
        var model = new SmallNet();
        Assert.Equal(state.Keys, model.StateDict().Keys);   // same names, same order as PyTorch
        model.LoadStateDict(state);
        Assert.Equal(7f, model.StateDict()["bn1.num_batches_tracked"].Item());
        model.Eval();
        Tensor output;
        using (Autograd.NoGrad()) output = model.Forward(io["input"]);
        TensorAssert.Close(io["output"], output, relative: 0f, absolute: 1e-4f, label: "state_dict/smallnet");
    }

    [Fact]
    public void StrictLoadListsMissingUnexpectedAndMismatchedKeys()
    {
        var state = Safetensors.Read(Path.Combine(GoldenCase.GoldenDirectory, "state_dict", "smallnet.safetensors"));
        state.Remove("fc.bias");
        state["extra.weight"] = Tensor.Zeros(1);
        state["conv1.weight"] = Tensor.Zeros(8, 3, 3, 3);
        var error = Assert.Throws<ArgumentException>(() => new SmallNet().LoadStateDict(state));
        Assert.Contains("fc.bias", error.Message);
        Assert.Contains("extra.weight", error.Message);
        Assert.Contains("conv1.weight: expected (8, 3, 5, 5), got (8, 3, 3, 3)", error.Message);
    }

    [Fact]
    public void NonStrictLoadReportsSkippedKeys()
    {
        var state = Safetensors.Read(Path.Combine(GoldenCase.GoldenDirectory, "state_dict", "smallnet.safetensors"));
        state.Remove("fc.bias");
        state["extra.weight"] = Tensor.Zeros(1);
        var result = new SmallNet().LoadStateDict(state, strict: false);
        Assert.Equal(["fc.bias"], result.MissingKeys);
        Assert.Equal(["extra.weight"], result.UnexpectedKeys);
    }

    [Fact]
    public void SaveAndLoadRoundTripsThroughSafetensors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fovea-smallnet-{Guid.NewGuid():N}.safetensors");
        try
        {
            var original = new SmallNet();
            original.Save(path);
            var copy = new SmallNet();
            copy.Load(path);
            foreach (var (name, tensor) in original.StateDict())
                Assert.Equal(tensor.ToArray(), copy.StateDict()[name].ToArray());
        }
        finally { File.Delete(path); }
    }
}
