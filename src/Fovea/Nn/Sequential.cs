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

    /// <summary>
    /// Each layer in turn. A convolution directly followed by a batch norm (and maybe a <see cref="ReLU"/>) runs as one
    /// fused inference op when <see cref="InferenceFusion.CanFuse"/> allows it (eval mode, running statistics, no hooks, no
    /// gradient needed; a ReLU with hooks then runs on its own). Otherwise a convolution directly followed by a
    /// <see cref="ReLU"/>, neither with forward hooks, runs as one fused op (<see cref="ConvNd.ForwardRelu"/>): same values
    /// and gradients, without the intermediate tensor and its gradient.
    /// </summary>
    protected override Tensor OnForward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is ConvNd conv && i + 1 < layers.Count && layers[i + 1] is BatchNormBase norm)
            {
                var reluAfter = i + 2 < layers.Count && layers[i + 2] is ReLU next && !next.HasForwardHooks ? next : null;
                if (InferenceFusion.CanFuse(conv, norm, x, relu: reluAfter))
                {
                    x = InferenceFusion.Fused(conv, norm, x, residual: null, relu: reluAfter is not null);
                    i += reluAfter is null ? 1 : 2;
                    continue;
                }
            }
            if (layers[i] is ConvNd convolution && i + 1 < layers.Count && layers[i + 1] is ReLU relu
                && !convolution.HasForwardHooks && !relu.HasForwardHooks)
            {
                x = convolution.ForwardRelu(x);
                i++;
                continue;
            }
            x = layers[i].Forward(x);
        }
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
