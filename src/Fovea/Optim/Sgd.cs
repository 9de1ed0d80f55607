using Fovea.Kernels.Cpu;

namespace Fovea.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, weight decay and Nesterov momentum, with
/// PyTorch's exact update rule (torch.optim.SGD): d = g + weightDecay·θ; the momentum buffer starts as d on a
/// parameter's first step, then b = momentum·b + (1 - dampening)·d; Nesterov uses d + momentum·b, plain momentum b;
/// θ = θ - lr·d. State per parameter: <c>momentum_buffer</c> (with momentum only).
/// </summary>
public sealed class Sgd : Optimizer
{
    private static readonly Dictionary<string, bool> Entries = new() { ["momentum_buffer"] = false };

    public Sgd(IEnumerable<Tensor> parameters, float lr, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : this(OneGroup(parameters), lr, momentum, dampening, weightDecay, nesterov) { }

    /// <summary>With parameter groups; each group's null learning rate or weight decay takes these defaults.</summary>
    public Sgd(IEnumerable<ParameterGroup> parameterGroups, float lr, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : base(parameterGroups, Checked(lr, momentum, dampening, nesterov), weightDecay)
    {
        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
    }

    // Runs before the base constructor so that bad hyperparameters throw before any group is touched.
    private static float Checked(float lr, float momentum, float dampening, bool nesterov)
    {
        ParameterGroup.CheckLearningRate(lr, nameof(lr));
        if (!(momentum >= 0f)) throw new ArgumentOutOfRangeException(nameof(momentum), $"Invalid momentum value: {momentum} (must be >= 0).");
        if (!float.IsFinite(dampening)) throw new ArgumentOutOfRangeException(nameof(dampening), $"Invalid dampening value: {dampening}.");
        if (nesterov && (momentum <= 0f || dampening != 0f))
            throw new ArgumentException($"Nesterov momentum requires a momentum and zero dampening (got momentum {momentum}, dampening {dampening}).", nameof(nesterov));
        return lr;
    }

    public float Momentum { get; }
    public float Dampening { get; }
    public bool Nesterov { get; }

    protected override IReadOnlyDictionary<string, bool> StateEntries => Entries;

    protected override void Update(ParameterGroup group, Tensor parameter, Tensor grad, Dictionary<string, Tensor> parameterState)
    {
        Tensor? buffer = null;
        bool firstStep = false;
        if (Momentum != 0f && !parameterState.TryGetValue("momentum_buffer", out buffer))
        {
            buffer = parameterState["momentum_buffer"] = Tensor.Zeros(parameter.Shape);
            firstStep = true;
        }
        OptimizerKernels.SgdStep(parameter.Data, grad.Data, buffer is null ? Memory<float>.Empty : buffer.Data, firstStep,
            group.LearningRate, Momentum, Dampening, group.WeightDecay, Nesterov);
    }
}
