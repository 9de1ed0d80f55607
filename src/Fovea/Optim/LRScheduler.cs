using System.Globalization;

namespace Fovea.Optim;

/// <summary>
/// Base of the learning-rate schedulers (torch.optim.lr_scheduler.LRScheduler), stepped once per epoch after the
/// optimizer's steps. Construction counts as epoch 0 and leaves the rates unchanged. Schedulers use PyTorch's
/// chainable (recursive) forms, which start from each group's current rate, so several schedulers can act on one
/// optimizer. State dict keys: <c>last_epoch</c>, <c>base_lrs</c>, <c>last_lr</c> and the scheduler's own settings.
/// </summary>
public abstract class LRScheduler
{
    private float[] lastLearningRates = [];

    protected LRScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        // The first scheduler records each group's starting rate; later ones start from the same rates (PyTorch's initial_lr).
        foreach (var group in optimizer.ParameterGroups) group.InitialLearningRate ??= group.LearningRate;
        BaseLearningRates = [.. optimizer.ParameterGroups.Select(g => g.InitialLearningRate!.Value)];
    }

    /// <summary>Derived constructors call this last, once their settings are stored: it performs the initial step to epoch 0.</summary>
    protected void Initialize()
    {
        LastEpoch = -1;
        Step();
    }

    public Optimizer Optimizer { get; }

    /// <summary>Each group's learning rate when scheduling began.</summary>
    public IReadOnlyList<float> BaseLearningRates { get; private set; }

    /// <summary>The epoch of the last <see cref="Step"/> (0 right after construction).</summary>
    public int LastEpoch { get; private set; }

    /// <summary>The learning rates set by the last step, one per group (PyTorch's get_last_lr()).</summary>
    public IReadOnlyList<float> LastLearningRates => lastLearningRates;

    /// <summary>Moves to the next epoch and sets every group's learning rate.</summary>
    public void Step()
    {
        LastEpoch++;
        var rates = ComputeLearningRates();
        var groups = Optimizer.ParameterGroups;
        for (int g = 0; g < groups.Count; g++) groups[g].LearningRate = (float)rates[g];
        lastLearningRates = [.. groups.Select(group => group.LearningRate)];
    }

    /// <summary>The rates for <see cref="LastEpoch"/>, from the groups' current rates (chainable form), in double like PyTorch.</summary>
    protected abstract double[] ComputeLearningRates();

    /// <summary>The scheduler's own settings by PyTorch name (e.g. step_size, gamma), saved in the state dict.</summary>
    protected abstract IEnumerable<(string Name, float Value)> Settings();

    /// <summary>Restores one setting saved by <see cref="Settings"/>.</summary>
    protected abstract void RestoreSetting(string name, float value);

    /// <summary>Why a saved setting cannot be restored, or null when it can.</summary>
    protected abstract string? CheckSetting(string name, float value);

    public Dictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>
        {
            ["last_epoch"] = Tensor.Scalar(LastEpoch),
            ["base_lrs"] = Tensor.FromArray([.. BaseLearningRates]),
            ["last_lr"] = Tensor.FromArray(lastLearningRates),
        };
        foreach (var (name, value) in Settings()) state[name] = Tensor.Scalar(value);
        return state;
    }

    /// <summary>Restores a state saved by <see cref="StateDict"/> (learning rates in the optimizer come from its own state dict).</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int groups = Optimizer.ParameterGroups.Count;
        var problems = new List<string>();
        var required = new[] { "last_epoch", "base_lrs", "last_lr" }.Concat(Settings().Select(s => s.Name)).ToList();
        foreach (var key in required.Where(k => !state.ContainsKey(k))) problems.Add($"missing key {key}");
        foreach (var key in state.Keys.Where(k => !required.Contains(k))) problems.Add($"unexpected key {key}");
        foreach (var key in new[] { "base_lrs", "last_lr" })
            if (state.TryGetValue(key, out var rates) && (rates.Rank != 1 || rates.Size != groups))
                problems.Add($"{key}: shape {rates.Shape}, expected ({groups}), one rate per parameter group");
        if (state.TryGetValue("last_epoch", out var epoch) && (epoch.Size != 1 || epoch.ReadOnlySpan[0] != MathF.Round(epoch.ReadOnlySpan[0])))
            problems.Add("last_epoch must be one integer");
        foreach (var (name, _) in Settings())
        {
            if (!state.TryGetValue(name, out var setting)) continue;
            string? problem = setting.Size != 1 ? $"{name} must be one value" : CheckSetting(name, setting.ReadOnlySpan[0]);
            if (problem is not null) problems.Add(problem);
        }
        if (problems.Count > 0)
            throw new ArgumentException($"LoadStateDict into {GetType().Name} failed: " + string.Join("; ", problems) + ".", nameof(state));
        // ToList: restoring changes the values Settings() reports.
        foreach (var (name, _) in Settings().ToList()) RestoreSetting(name, state[name].ReadOnlySpan[0]);
        LastEpoch = (int)state["last_epoch"].ReadOnlySpan[0];
        BaseLearningRates = state["base_lrs"].ToArray();
        lastLearningRates = state["last_lr"].ToArray();
    }

    public override string ToString() =>
        $"{GetType().Name}(epoch {LastEpoch}, lr {string.Join(", ", lastLearningRates.Select(r => r.ToString("G6", CultureInfo.InvariantCulture)))})";
}
