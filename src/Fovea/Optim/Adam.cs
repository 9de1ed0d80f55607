using Fovea.Kernels.Cpu;

namespace Fovea.Optim;

/// <summary>
/// Adam (torch.optim.Adam): moment estimates m and v with bias correction; weight decay is added to the
/// gradient (L2 regularisation; see <see cref="AdamW"/> for the decoupled form); <c>amsgrad</c> uses the running
/// maximum of v. State per parameter: <c>step</c> (a scalar), <c>exp_avg</c>, <c>exp_avg_sq</c> and, with AMSGrad,
/// <c>max_exp_avg_sq</c>, named as in PyTorch.
/// </summary>
public class Adam : Optimizer
{
    private static readonly Dictionary<string, bool> Entries = new()
    {
        ["step"] = true, ["exp_avg"] = false, ["exp_avg_sq"] = false, ["max_exp_avg_sq"] = false,
    };

    public Adam(IEnumerable<Tensor> parameters, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f,
        float weightDecay = 0f, bool amsgrad = false)
        : this(OneGroup(parameters), lr, beta1, beta2, eps, weightDecay, amsgrad) { }

    /// <summary>With parameter groups; each group's null learning rate or weight decay takes these defaults.</summary>
    public Adam(IEnumerable<ParameterGroup> parameterGroups, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f,
        float weightDecay = 0f, bool amsgrad = false)
        : this(parameterGroups, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupledWeightDecay: false) { }

    private protected Adam(IEnumerable<ParameterGroup> parameterGroups, float lr, float beta1, float beta2, float eps,
        float weightDecay, bool amsgrad, bool decoupledWeightDecay)
        : base(parameterGroups, Checked(lr, beta1, beta2, eps), weightDecay)
    {
        (Beta1, Beta2, Eps, Amsgrad, DecoupledWeightDecay) = (beta1, beta2, eps, amsgrad, decoupledWeightDecay);
    }

    // Runs before the base constructor so that bad hyperparameters throw before any group is touched.
    private static float Checked(float lr, float beta1, float beta2, float eps)
    {
        ParameterGroup.CheckLearningRate(lr, nameof(lr));
        if (!(eps >= 0f)) throw new ArgumentOutOfRangeException(nameof(eps), $"Invalid epsilon value: {eps} (must be >= 0).");
        if (!(beta1 >= 0f && beta1 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta1), $"Invalid beta parameter at index 0: {beta1} (must be in [0, 1)).");
        if (!(beta2 >= 0f && beta2 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta2), $"Invalid beta parameter at index 1: {beta2} (must be in [0, 1)).");
        return lr;
    }

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Eps { get; }
    public bool Amsgrad { get; }
    /// <summary>True for AdamW: θ·(1 - lr·weightDecay) instead of adding weightDecay·θ to the gradient.</summary>
    public bool DecoupledWeightDecay { get; }

    protected override IReadOnlyDictionary<string, bool> StateEntries => Entries;

    protected override void Update(ParameterGroup group, Tensor parameter, Tensor grad, Dictionary<string, Tensor> parameterState)
    {
        var step = StateTensor(parameterState, "step", new Shape());
        var firstMoment = StateTensor(parameterState, "exp_avg", parameter.Shape);
        var secondMoment = StateTensor(parameterState, "exp_avg_sq", parameter.Shape);
        var maxSecondMoment = Amsgrad ? StateTensor(parameterState, "max_exp_avg_sq", parameter.Shape) : null;
        // The step count is a float scalar, as in PyTorch (exact up to 2^24 steps).
        step.Span[0] += 1f;
        OptimizerKernels.AdamStep(parameter.Data, grad.Data, firstMoment.Data, secondMoment.Data,
            maxSecondMoment is null ? Memory<float>.Empty : maxSecondMoment.Data, step.Span[0],
            group.LearningRate, Beta1, Beta2, Eps, group.WeightDecay, DecoupledWeightDecay);
    }

    private static Tensor StateTensor(Dictionary<string, Tensor> parameterState, string name, Shape shape)
    {
        if (!parameterState.TryGetValue(name, out var tensor)) parameterState[name] = tensor = Tensor.Zeros(shape);
        return tensor;
    }
}

/// <summary>
/// AdamW (torch.optim.AdamW, Loshchilov and Hutter): Adam with decoupled weight decay θ = θ·(1 - lr·weightDecay)
/// before the moment update; the default weight decay is 1e-2.
/// </summary>
public sealed class AdamW : Adam
{
    public AdamW(IEnumerable<Tensor> parameters, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f,
        float weightDecay = 1e-2f, bool amsgrad = false)
        : this(OneGroup(parameters), lr, beta1, beta2, eps, weightDecay, amsgrad) { }

    public AdamW(IEnumerable<ParameterGroup> parameterGroups, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f,
        float weightDecay = 1e-2f, bool amsgrad = false)
        : base(parameterGroups, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupledWeightDecay: true) { }
}
