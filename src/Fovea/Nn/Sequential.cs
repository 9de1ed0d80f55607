namespace Fovea.Nn;

/// <summary>Runs its children in order; they are named "0", "1", ... as in PyTorch.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> layers = [];

    public Sequential(params Module[] modules)
    {
        foreach (var module in modules) Add(module);
    }

    public Sequential Add(Module module)
    {
        RegisterModule(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        layers.Add(module);
        return this;
    }

    public int Count => layers.Count;
    public Module this[int index] => layers[index];

    protected override Tensor OnForward(Tensor input)
    {
        var x = input;
        foreach (var layer in layers) x = layer.Forward(x);
        return x;
    }
}

/// <summary>Returns its input unchanged.</summary>
public sealed class Identity : Module
{
    protected override Tensor OnForward(Tensor input) => input;
}

/// <summary>Flattens dimensions startDim..endDim (default: all but the batch dimension).</summary>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module
{
    public int StartDim { get; } = startDim;
    public int EndDim { get; } = endDim;
    protected override Tensor OnForward(Tensor input) => input.Flatten(StartDim, EndDim);
}
