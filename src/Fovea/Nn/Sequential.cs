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
    /// Each layer in turn, with adjacent layers fused where nothing observable changes (<see cref="LayerFusion"/>'s rules):
    /// <list type="bullet">
    /// <item>a convolution, a batch norm and maybe a <see cref="ReLU"/> run as one inference op when
    /// <see cref="LayerFusion.CanFuse"/> allows it (eval mode, running statistics, no hooks, no gradient needed; a ReLU
    /// with hooks then runs on its own);</item>
    /// <item>otherwise a batch norm without forward hooks runs, with a directly following <see cref="ReLU"/> that has none,
    /// as one op (<see cref="F.BatchNormActivation"/>, in every mode): same values, gradients and running statistics,
    /// without keeping the batch norm's output for backward;</item>
    /// <item>a convolution directly followed by a <see cref="ReLU"/>, neither with forward hooks, runs as one op
    /// (<see cref="ConvNd.ForwardRelu"/>): same values and gradients, without the intermediate tensor and its gradient.</item>
    /// </list>
    /// </summary>
    protected override Tensor OnForward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < layers.Count; i++)
        {
            var reluNext = i + 1 < layers.Count && layers[i + 1] is ReLU { HasForwardHooks: false } next ? next : null;
            if (layers[i] is ConvNd conv && i + 1 < layers.Count && layers[i + 1] is BatchNormBase following)
            {
                var reluAfter = i + 2 < layers.Count && layers[i + 2] is ReLU { HasForwardHooks: false } after ? after : null;
                if (LayerFusion.CanFuse(conv, following, x, relu: reluAfter))
                {
                    x = LayerFusion.Fused(conv, following, x, residual: null, relu: reluAfter is not null);
                    i += reluAfter is null ? 1 : 2;
                    continue;
                }
            }
            if (layers[i] is BatchNormBase { HasForwardHooks: false } norm)
            {
                x = norm.ForwardActivation(x, residual: null, relu: reluNext is not null);
                if (reluNext is not null) i++;
                continue;
            }
            if (layers[i] is ConvNd convolution && reluNext is not null && !convolution.HasForwardHooks)
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
