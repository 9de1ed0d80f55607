using System.Globalization;

namespace Fovea.Optim;

/// <summary>
/// Base of the optimizers (torch.optim.Optimizer): parameter groups, per-parameter state (momentum buffers,
/// moments, step counts) and state dicts that let a checkpoint resume exactly.
/// <para>Parameters are numbered across groups in order (0, 1, ...), as in PyTorch; state dict keys are
/// <c>state.{index}.{name}</c> (e.g. <c>state.0.momentum_buffer</c>, <c>state.3.exp_avg</c>, <c>state.3.step</c>)
/// and <c>param_groups.{group}.lr</c>, <c>.weight_decay</c>, <c>.params</c> (the parameter indices).</para>
/// </summary>
public abstract class Optimizer
{
    private readonly List<ParameterGroup> groups;
    private readonly List<Tensor> parameters = [];
    // state[i]: the named state tensors of parameter i; empty until its first update.
    private readonly List<Dictionary<string, Tensor>> state = [];

    protected Optimizer(IEnumerable<ParameterGroup> parameterGroups, float learningRate, float weightDecay)
    {
        ArgumentNullException.ThrowIfNull(parameterGroups);
        ParameterGroup.CheckLearningRate(learningRate);
        ParameterGroup.CheckWeightDecay(weightDecay);
        groups = [.. parameterGroups];
        if (groups.Count == 0) throw new ArgumentException("The optimizer got no parameter groups.", nameof(parameterGroups));
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var group in groups)
        {
            ArgumentNullException.ThrowIfNull(group, nameof(parameterGroups));
            foreach (var parameter in group.Parameters)
            {
                ArgumentNullException.ThrowIfNull(parameter, nameof(parameterGroups));
                if (!parameter.IsLeaf)
                    throw new ArgumentException($"Can't optimize a non-leaf tensor (shape {parameter.Shape}): pass the parameters themselves, not results of ops on them.", nameof(parameterGroups));
                if (!seen.Add(parameter))
                    throw new ArgumentException($"A parameter of shape {parameter.Shape} appears more than once (within or across parameter groups).", nameof(parameterGroups));
                parameters.Add(parameter);
                state.Add([]);
            }
        }
        if (parameters.Count == 0) throw new ArgumentException("The optimizer got an empty parameter list.", nameof(parameterGroups));
        // Only once everything is valid: a rejected optimizer leaves the caller's groups untouched.
        foreach (var group in groups) group.ApplyDefaults(learningRate, weightDecay);
    }

    /// <summary>Wraps a plain parameter list as one group.</summary>
    protected static IEnumerable<ParameterGroup> OneGroup(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return [new ParameterGroup(parameters)];
    }

    public IReadOnlyList<ParameterGroup> ParameterGroups => groups;

    /// <summary>Every parameter, in index order.</summary>
    public IReadOnlyList<Tensor> Parameters => parameters;

    /// <summary>The first group's learning rate; setting it sets every group's.</summary>
    public float LearningRate
    {
        get => groups[0].LearningRate;
        set
        {
            ParameterGroup.CheckLearningRate(value, nameof(value));
            foreach (var group in groups) group.LearningRate = value;
        }
    }

    /// <summary>Sets every parameter's gradient to null (PyTorch's zero_grad(set_to_none=True)).</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in parameters) parameter.DropGrad();
    }

    /// <summary>Updates every parameter that has a gradient; parameters whose Grad is null are skipped.</summary>
    public void Step()
    {
        using var _ = Autograd.NoGrad();
        int index = 0;
        foreach (var group in groups)
        {
            foreach (var parameter in group.Parameters)
            {
                var grad = parameter.GradInternal;
                if (grad is not null)
                {
                    if (grad.Shape != parameter.Shape)
                        throw new InvalidOperationException($"Parameter {index} has shape {parameter.Shape} but its gradient has shape {grad.Shape}.");
                    Update(group, parameter, grad, state[index]);
                }
                index++;
            }
        }
    }

    /// <summary>
    /// Updates one parameter in place from its gradient. <paramref name="parameterState"/> is this parameter's
    /// state, empty on its first update; entries stored there are saved by <see cref="StateDict"/>.
    /// </summary>
    protected abstract void Update(ParameterGroup group, Tensor parameter, Tensor grad, Dictionary<string, Tensor> parameterState);

    /// <summary>The state entries this optimizer may keep per parameter, and whether each is a scalar (else the parameter's shape).</summary>
    protected abstract IReadOnlyDictionary<string, bool> StateEntries { get; }

    // ---- state dict ----

    /// <summary>Copies of the optimizer's state and group settings (see the class summary for the keys).</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var result = new Dictionary<string, Tensor>();
        for (int i = 0; i < state.Count; i++)
            foreach (var (name, tensor) in state[i])
                result[Key("state", i, name)] = Tensor.FromSpan(tensor.ReadOnlySpan, tensor.Shape);
        int first = 0;
        for (int g = 0; g < groups.Count; g++)
        {
            result[Key("param_groups", g, "lr")] = Tensor.Scalar(groups[g].LearningRate);
            result[Key("param_groups", g, "weight_decay")] = Tensor.Scalar(groups[g].WeightDecay);
            int count = groups[g].Parameters.Count;
            result[Key("param_groups", g, "params")] = Tensor.Arange(first, first + count);
            first += count;
        }
        return result;
    }

    /// <summary>
    /// Restores state saved by <see cref="StateDict"/> from an optimizer of the same kind over parameters of the
    /// same shapes and grouping. Every problem is listed; nothing changes unless all checks pass.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var problems = new List<string>();
        var loaded = new List<Dictionary<string, Tensor>>();
        for (int i = 0; i < parameters.Count; i++) loaded.Add([]);
        var groupSettings = new (float LearningRate, float WeightDecay)[groups.Count];
        var used = new HashSet<string>();
        int first = 0;
        for (int g = 0; g < groups.Count; g++)
        {
            float lr = ReadScalar(stateDict, Key("param_groups", g, "lr"), problems, used);
            float decay = ReadScalar(stateDict, Key("param_groups", g, "weight_decay"), problems, used);
            if (!(lr >= 0) || !(decay >= 0)) problems.Add($"group {g}: invalid lr {lr} or weight_decay {decay}");
            groupSettings[g] = (lr, decay);
            string paramsKey = Key("param_groups", g, "params");
            int count = groups[g].Parameters.Count;
            if (stateDict.TryGetValue(paramsKey, out var indices))
            {
                used.Add(paramsKey);
                if (indices.Rank != 1 || indices.Size != count)
                    problems.Add($"{paramsKey}: {indices.Size} parameters saved, this optimizer's group has {count}");
                else
                    for (int k = 0; k < count; k++)
                        if (indices.ReadOnlySpan[k] != first + k) { problems.Add($"{paramsKey}: parameter indices differ from {first}..{first + count - 1}"); break; }
            }
            else problems.Add($"missing key {paramsKey}");
            first += count;
        }
        foreach (var (key, tensor) in stateDict)
        {
            if (used.Contains(key)) continue;
            var parts = key.Split('.');
            if (parts.Length != 3 || parts[0] != "state" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                problems.Add($"unexpected key {key}");
                continue;
            }
            if (index >= parameters.Count) { problems.Add($"{key}: parameter index {index} out of range ({parameters.Count} parameters)"); continue; }
            if (!StateEntries.TryGetValue(parts[2], out bool scalar)) { problems.Add($"{key}: {GetType().Name} keeps no '{parts[2]}' state"); continue; }
            var expected = scalar ? new Shape() : parameters[index].Shape;
            if (tensor.Shape != expected) { problems.Add($"{key}: shape {tensor.Shape}, expected {expected}"); continue; }
            loaded[index][parts[2]] = Tensor.FromSpan(tensor.ReadOnlySpan, tensor.Shape);
        }
        if (problems.Count > 0)
            throw new ArgumentException($"LoadStateDict into {GetType().Name} failed: " + string.Join("; ", problems) + ".", nameof(stateDict));
        for (int g = 0; g < groups.Count; g++)
            (groups[g].LearningRate, groups[g].WeightDecay) = groupSettings[g];
        for (int i = 0; i < state.Count; i++) state[i] = loaded[i];
    }

    private static float ReadScalar(IReadOnlyDictionary<string, Tensor> stateDict, string key, List<string> problems, HashSet<string> used)
    {
        if (!stateDict.TryGetValue(key, out var tensor)) { problems.Add($"missing key {key}"); return 0f; }
        used.Add(key);
        if (tensor.Size != 1) { problems.Add($"{key}: expected a scalar, got shape {tensor.Shape}"); return 0f; }
        return tensor.ReadOnlySpan[0];
    }

    private static string Key(string section, int index, string name) => $"{section}.{index.ToString(CultureInfo.InvariantCulture)}.{name}";

    public override string ToString() =>
        $"{GetType().Name}({parameters.Count} parameters in {groups.Count} group{(groups.Count == 1 ? "" : "s")}, lr: {LearningRate})";
}
