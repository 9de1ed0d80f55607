namespace Fovea.Nn;

/// <summary>
/// Base of every layer and model (torch.nn.Module): named parameters, buffers and children in
/// registration order, train/eval mode, state dicts with PyTorch's dotted names, forward hooks.
/// Subclasses register what they hold in their constructor and implement <see cref="OnForward"/>.
/// </summary>
public abstract class Module
{
    private readonly List<KeyValuePair<string, Tensor>> parameters = [];
    private readonly List<KeyValuePair<string, Tensor>> buffers = [];
    private readonly List<KeyValuePair<string, Module>> children = [];
    private readonly List<Action<Module, Tensor, Tensor>> forwardHooks = [];

    /// <summary>True in training mode (the default); Dropout and BatchNorm behave differently in eval.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Runs the layer, then any forward hooks (which see the input and output).</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var output = OnForward(input);
        foreach (var hook in forwardHooks) hook(this, input, output);
        return output;
    }

    /// <summary>The layer's computation. Validate the input here, then call ops.</summary>
    protected abstract Tensor OnForward(Tensor input);

    /// <summary>Whether any forward hook is registered (a container may only fuse layers whose outputs nobody observes).</summary>
    internal bool HasForwardHooks => forwardHooks.Count > 0;

    /// <summary>Calls <paramref name="hook"/>(module, input, output) after every forward; dispose the handle to remove it.</summary>
    public IDisposable RegisterForwardHook(Action<Module, Tensor, Tensor> hook)
    {
        forwardHooks.Add(hook);
        return new HookHandle(() => forwardHooks.Remove(hook));
    }

    private sealed class HookHandle(Action remove) : IDisposable
    {
        private Action? remove = remove;
        public void Dispose() { remove?.Invoke(); remove = null; }
    }

    // ---- registration ----

    protected Tensor RegisterParameter(string name, Tensor tensor)
    {
        CheckName(name);
        tensor.RequiresGrad = true;
        TensorScope.Keep(tensor);   // a module built inside a TensorScope keeps its parameters
        parameters.Add(new(name, tensor));
        return tensor;
    }

    protected Tensor RegisterBuffer(string name, Tensor tensor)
    {
        CheckName(name);
        TensorScope.Keep(tensor);
        buffers.Add(new(name, tensor));
        return tensor;
    }

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name);
        children.Add(new(name, module));
        return module;
    }

    /// <summary>Replaces a registered parameter or buffer tensor (e.g. to share weights).</summary>
    protected void ReplaceTensor(string name, Tensor tensor)
    {
        int p = parameters.FindIndex(kv => kv.Key == name);
        if (p >= 0) { tensor.RequiresGrad = parameters[p].Value.RequiresGrad; parameters[p] = new(name, tensor); return; }
        int b = buffers.FindIndex(kv => kv.Key == name);
        if (b >= 0) { buffers[b] = new(name, tensor); return; }
        throw new ArgumentException($"No parameter or buffer named '{name}' in {GetType().Name}.", nameof(name));
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"Invalid name '{name}': names must be non-empty and contain no '.'.", nameof(name));
        if (parameters.Any(kv => kv.Key == name) || buffers.Any(kv => kv.Key == name) || children.Any(kv => kv.Key == name))
            throw new ArgumentException($"'{name}' is already registered in {GetType().Name}.", nameof(name));
    }

    // ---- traversal ----

    public IEnumerable<(string Name, Module Module)> NamedChildren() => children.Select(kv => (kv.Key, kv.Value));
    public IEnumerable<Module> Children() => children.Select(kv => kv.Value);

    /// <summary>This module ("" name) and every descendant, depth first, with dotted names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in children)
            foreach (var item in child.NamedModules(Join(prefix, name)))
                yield return item;
    }

    /// <summary>Every parameter with its dotted name (each tensor once, like PyTorch).</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedParameters()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, module) in NamedModules())
            foreach (var (name, tensor) in module.parameters)
                if (seen.Add(tensor)) yield return (Join(prefix, name), tensor);
    }

    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Tensor);

    public IEnumerable<(string Name, Tensor Tensor)> NamedBuffers()
    {
        foreach (var (prefix, module) in NamedModules())
            foreach (var (name, tensor) in module.buffers)
                yield return (Join(prefix, name), tensor);
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    // ---- modes ----

    /// <summary>Training mode on (or off) for this module and every descendant.</summary>
    public Module Train(bool mode = true)
    {
        foreach (var (_, module) in NamedModules()) module.Training = mode;
        return this;
    }

    public Module Eval() => Train(false);

    /// <summary>Switches gradients on or off for every parameter (torch's requires_grad_), e.g. to freeze a network.</summary>
    public Module SetRequiresGrad(bool requiresGrad)
    {
        foreach (var parameter in Parameters()) parameter.RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>Clears the gradient of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in Parameters()) parameter.DropGrad();
    }

    /// <summary>Total number of parameter elements (the model complexity of MISSION.md §2).</summary>
    public long ParameterCount(bool trainableOnly = false) =>
        Parameters().Where(p => !trainableOnly || p.RequiresGrad).Sum(p => (long)p.Size);

    // ---- state dict ----

    /// <summary>
    /// Parameters and buffers by dotted name, in PyTorch's order (each module's own parameters,
    /// then its buffers, then its children). The tensors share storage with the module.
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (prefix, module) in NamedModules())
        {
            foreach (var (name, tensor) in module.parameters) state.TryAdd(Join(prefix, name), tensor.Detach());
            foreach (var (name, tensor) in module.buffers) state.TryAdd(Join(prefix, name), tensor.Detach());
        }
        return state;
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into this module's parameters and buffers.
    /// Shape mismatches always throw; with <paramref name="strict"/> missing and unexpected keys
    /// throw too. Nothing is copied unless every check passes. Every problem is listed by name.
    /// </summary>
    public StateDictLoadResult LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var mismatched = own.Where(kv => state.TryGetValue(kv.Key, out var given) && given.Shape != kv.Value.Shape)
            .Select(kv => $"{kv.Key}: expected {kv.Value.Shape}, got {state[kv.Key].Shape}").ToList();
        var problems = new List<string>();
        if (mismatched.Count > 0) problems.Add("shape mismatch for " + string.Join("; ", mismatched));
        if (strict && missing.Count > 0) problems.Add("missing keys: " + string.Join(", ", missing));
        if (strict && unexpected.Count > 0) problems.Add("unexpected keys: " + string.Join(", ", unexpected));
        if (problems.Count > 0)
            throw new ArgumentException($"LoadStateDict into {GetType().Name} failed: " + string.Join(". ", problems) + ".", nameof(state));
        foreach (var (name, target) in own)
            if (state.TryGetValue(name, out var source))
                source.ReadOnlySpan.CopyTo(target.Span);
        return new StateDictLoadResult(missing, unexpected);
    }

    public override string ToString() => GetType().Name;
}

/// <summary>Keys that a non-strict LoadStateDict skipped.</summary>
public sealed record StateDictLoadResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);
