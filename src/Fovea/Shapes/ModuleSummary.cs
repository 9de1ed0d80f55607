namespace Fovea.Nn;

/// <summary><c>module.Summary(inputShape)</c>: the model's layers, shapes, parameters, receptive fields and MACs.</summary>
public static class ModuleSummary
{
    /// <summary>
    /// Runs one forward pass of a zero batch of shape <paramref name="inputShape"/> (batch dimension
    /// included, e.g. (1, 3, 224, 224)) in eval mode, and records every call of every layer (module without
    /// children) through forward hooks: its output shape, parameters, MACs, receptive field and jump (see
    /// <see cref="ModelSummary"/>; receptive fields through branches are explained on the internal tracker:
    /// parallel branches that meet count with their largest field). The pass records the autograd graph (it
    /// is how tensors made between layers, such as residual sums and concatenations, are traced to the
    /// layers they come from) but never runs a backward: gradients and batch-norm statistics are untouched,
    /// and each module's training mode is restored afterwards.
    /// </summary>
    public static ModelSummary Summary(this Module module, Shape inputShape)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (inputShape.Rank == 0)
            throw new ArgumentException("inputShape needs at least a batch dimension, e.g. (1, 3, 224, 224).", nameof(inputShape));
        if (inputShape.Size == 0)
            throw new ArgumentException($"inputShape {inputShape} has no elements; every dimension must be >= 1.", nameof(inputShape));

        var names = new Dictionary<Module, string>(ReferenceEqualityComparer.Instance);
        var modes = new List<(Module Module, bool Training)>();
        foreach (var (name, child) in module.NamedModules())
        {
            names.TryAdd(child, name);
            modes.Add((child, child.Training));
        }

        var layers = new List<LayerSummary>();
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        ReceptiveFieldTracker? tracker = null;
        var hooks = new List<IDisposable>();
        try
        {
            foreach (var layer in names.Keys.Where(m => !m.Children().Any()))
                hooks.Add(layer.RegisterForwardHook((called, input, output) => layers.Add(Describe(called, names[called], input, output, tracker!, seen))));
            module.Eval();
            using var recording = Autograd.EnableGrad();
            var input = Tensor.Zeros(inputShape);
            input.RequiresGrad = true;
            tracker = new ReceptiveFieldTracker(input);
            try
            {
                module.Forward(input);
            }
            catch (ArgumentException e)
            {
                string after = layers.Count == 0 ? "in the first layer" : $"after layer '{layers[^1].Name}' ({layers[^1].Type}, output {layers[^1].OutputShape})";
                throw new ArgumentException($"{module.GetType().Name}.Summary({inputShape}): the forward pass failed {after}: {MessageOf(e)}", nameof(inputShape), e);
            }
        }
        finally
        {
            foreach (var hook in hooks) hook.Dispose();
            // Train(mode) also sets the descendants: restoring parents before children gives back every module's own mode.
            foreach (var (child, training) in modes) child.Train(training);
        }

        long buffers = module.NamedBuffers().Sum(b => (long)b.Tensor.Size);
        return new ModelSummary(module.GetType().Name, inputShape, layers.AsReadOnly(),
            module.ParameterCount(), module.ParameterCount(trainableOnly: true), buffers);
    }

    private static LayerSummary Describe(Module layer, string name, Tensor input, Tensor output, ReceptiveFieldTracker tracker, HashSet<Module> seen)
    {
        var field = tracker.Layer(layer, input, output);
        bool repeated = !seen.Add(layer);
        return new LayerSummary(name, layer.GetType().Name, output.Shape,
            repeated ? 0 : layer.ParameterCount(),
            repeated ? 0 : layer.ParameterCount(trainableOnly: true),
            repeated ? 0 : layer.NamedBuffers().Sum(b => (long)b.Tensor.Size),
            field?.Size, field?.Jump,
            MultiplyAccumulates.Of(layer, output.Shape), repeated);
    }

    /// <summary>The message without the " (Parameter 'x')" that ArgumentException appends.</summary>
    internal static string MessageOf(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
}
