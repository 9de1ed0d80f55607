namespace Fovea.Nn;

/// <summary>
/// Batch normalisation over dim 1 (channels) of x: (N, C, *), the shared body of <see cref="BatchNorm1d"/> and
/// <see cref="BatchNorm2d"/> (PyTorch's _BatchNorm). Parameters weight (γ, ones) and bias (β, zeros) when
/// affine; buffers running_mean (zeros), running_var (ones) and num_batches_tracked (a rank-0 count) when
/// tracking running statistics. Training uses the batch statistics and updates the running ones:
/// running = (1 − momentum)·running + momentum·batch (unbiased variance); with momentum null the update is
/// a cumulative average (factor 1/num_batches_tracked). Eval uses the running statistics, or the batch
/// ones when they are not tracked.
/// </summary>
public abstract class BatchNormBase : Module
{
    private protected BatchNormBase(int numFeatures, float eps, float? momentum, bool affine, bool trackRunningStats)
    {
        if (numFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(numFeatures), $"numFeatures must be > 0, got {numFeatures}.");
        if (!(eps >= 0) || !float.IsFinite(eps)) throw new ArgumentOutOfRangeException(nameof(eps), $"eps must be finite and >= 0, got {eps}.");
        if (momentum is float m && !(m >= 0 && m <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), $"momentum must be in [0, 1] or null, got {m}.");
        (NumFeatures, Eps, Momentum) = (numFeatures, eps, momentum);
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(numFeatures));
            Bias = RegisterParameter("bias", Tensor.Zeros(numFeatures));
        }
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Scalar(0f));
        }
    }

    public int NumFeatures { get; }
    public float Eps { get; }
    /// <summary>Weight of the new batch in the running statistics; null: cumulative average.</summary>
    public float? Momentum { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }
    public Tensor? RunningMean { get; }
    public Tensor? RunningVar { get; }
    /// <summary>Rank-0 tensor counting the training batches seen (float, PyTorch stores int64).</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <summary>The input layouts this layer accepts, e.g. "(N, C) or (N, C, L)".</summary>
    private protected abstract string ExpectedLayout { get; }
    private protected abstract bool AcceptsRank(int rank);

    /// <summary>Sets the running statistics back to mean 0, variance 1, no batches seen.</summary>
    public void ResetRunningStats()
    {
        RunningMean?.Span.Fill(0f);
        RunningVar?.Span.Fill(1f);
        NumBatchesTracked?.Span.Fill(0f);
    }

    protected override Tensor OnForward(Tensor input) => ForwardActivation(input, residual: null, relu: false);

    /// <summary>
    /// act(this(input) + residual) as one op (<see cref="F.BatchNormActivation"/>), act = ReLU when <paramref name="relu"/>,
    /// the residual optional (input's shape): this layer's own validation, statistics and running-statistics bookkeeping
    /// (every mode of <see cref="OnForward"/>, which is this call without residual and ReLU). It skips
    /// <see cref="Module.Forward"/>'s hooks: <see cref="LayerFusion"/> and <see cref="Sequential"/> call it only for a
    /// layer without hooks.
    /// </summary>
    internal Tensor ForwardActivation(Tensor input, Tensor? residual, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!AcceptsRank(input.Rank))
            throw new ArgumentException($"{GetType().Name}: input has shape {input.Shape}, expected {ExpectedLayout}.", nameof(input));
        if (input.Shape[1] != NumFeatures)
            throw new ArgumentException($"{GetType().Name}: input has shape {input.Shape} with {input.Shape[1]} channels (dim 1), expected {NumFeatures}.", nameof(input));
        F.CheckResidualShape(input, residual); // before the batch count changes
        float factor = Momentum ?? 0f;
        if (Training && NumBatchesTracked is not null)
        {
            NumBatchesTracked.Span[0] += 1f;
            factor = Momentum ?? 1f / NumBatchesTracked.Span[0];
        }
        // Without tracked statistics there is nothing to evaluate with: batch statistics in both modes.
        bool useBatchStatistics = Training || RunningMean is null;
        return F.BatchNormActivation(input, RunningMean, RunningVar, Weight, Bias, useBatchStatistics, factor, Eps, residual, relu);
    }

    public override string ToString() =>
        $"{GetType().Name}({NumFeatures}, eps={Eps}, momentum={(Momentum?.ToString() ?? "null")}, affine={Weight is not null}, trackRunningStats={RunningMean is not null})";
}

/// <summary>Batch normalisation of x: (N, C) or (N, C, L), per channel.</summary>
public sealed class BatchNorm1d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    private protected override string ExpectedLayout => "(N, C) or (N, C, L)";
    private protected override bool AcceptsRank(int rank) => rank is 2 or 3;
}

/// <summary>Batch normalisation of x: (N, C, H, W), per channel.</summary>
public sealed class BatchNorm2d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    private protected override string ExpectedLayout => "(N, C, H, W)";
    private protected override bool AcceptsRank(int rank) => rank == 4;
}
