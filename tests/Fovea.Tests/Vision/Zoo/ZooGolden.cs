using Fovea.Nn;
using Fovea.Serialization;
using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Vision.Zoo;

/// <summary>
/// One zoo golden case written by tools/golden/zoo.py: a torchvision model's state dict
/// (&lt;name&gt;.safetensors) and its input and outputs (&lt;name&gt;_io.safetensors).
/// </summary>
internal sealed class ZooGolden
{
    private ZooGolden(string directory, string name)
    {
        Name = name;
        State = Safetensors.Read(Path.Combine(directory, name + ".safetensors"));
        Io = Safetensors.Read(Path.Combine(directory, name + "_io.safetensors"));
    }

    public string Name { get; }
    public Dictionary<string, Tensor> State { get; }
    public Dictionary<string, Tensor> Io { get; }

    /// <summary>tests/golden/zoo (the committed, narrow cases).</summary>
    public static string CommittedDirectory => Path.Combine(GoldenCase.GoldenDirectory, "zoo");

    public static ZooGolden Load(string directory, string name) => new(directory, name);

    /// <summary>Loads the state dict into <paramref name="model"/> (strict; torchvision's key order checked too) and
    /// returns the model in eval mode.</summary>
    public Module LoadInto(Module model)
    {
        Assert.Equal(State.Keys, model.StateDict().Keys);
        model.LoadStateDict(State);
        model.Eval();
        return model;
    }

    /// <summary>Runs the model without recording gradients.</summary>
    public static Tensor Run(Module model, Tensor input)
    {
        using var _ = Autograd.NoGrad();
        return model.Forward(input);
    }

    /// <summary>Asserts max |expected − actual| ≤ <paramref name="absolute"/> and returns that difference.</summary>
    public static double AssertClose(Tensor expected, Tensor actual, float absolute, string label)
    {
        TensorAssert.Close(expected, actual, relative: 0f, absolute: absolute, label: label);
        return MaxAbsDifference(expected, actual);
    }

    /// <summary>"Fovea vs float64 a, PyTorch vs float64 b": both float32 results against the model evaluated in
    /// float64 by PyTorch (output_float64), which tells summation-order noise from errors.</summary>
    public string AgainstFloat64(Tensor actual) =>
        $"vs float64: Fovea {MaxAbsDifference(Io["output_float64"], actual):G3}, PyTorch {MaxAbsDifference(Io["output_float64"], Io["output"]):G3}";

    public static double MaxAbsDifference(Tensor expected, Tensor actual)
    {
        double worst = 0;
        var e = expected.ReadOnlySpan;
        var a = actual.ReadOnlySpan;
        for (int i = 0; i < e.Length; i++) worst = Math.Max(worst, Math.Abs((double)e[i] - a[i]));
        return worst;
    }
}
