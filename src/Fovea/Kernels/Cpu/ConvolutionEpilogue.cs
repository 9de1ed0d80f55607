using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// What a fused convolution applies to its raw output y = w ⊛ x (no bias) while it is still in cache, per output
/// channel c: out = act(y·Scale[c] + Shift[c] (+ Residual)). The product is rounded before the add, then the residual
/// is added, then the activation applied: the same roundings, in the same order, as a BatchNorm eval pass
/// (<see cref="BatchNorm.Affine"/>) followed by a tensor add and a ReLU. ReLU is max(v, 0) as
/// <see cref="Activations.ReluForward"/> computes it: NaN passes through, −0 becomes +0.
/// <para>Layouts: the output and <see cref="Residual"/> are (N, <see cref="Channels"/>, <see cref="Positions"/>),
/// positions = oD·oH·oW; <see cref="Scale"/> and <see cref="Shift"/> are (<see cref="Channels"/>).</para>
/// <para>A kernel that writes its output a run at a time (a row, a band, a plane of one channel) calls
/// <see cref="Apply(Span{float}, int, int, int)"/> on each run as soon as it is written; the whole-tensor pass
/// <see cref="Apply(Memory{float}, int)"/> serves kernels that write the whole output first.</para>
/// </summary>
internal readonly partial struct ConvolutionEpilogue
{
    /// <param name="scale">Per output channel factor, length <paramref name="channels"/>.</param>
    /// <param name="shift">Per output channel offset (added after the factor), length <paramref name="channels"/>.</param>
    /// <param name="residual">Empty, or a tensor of the output's layout added after the shift (a residual block's shortcut).</param>
    /// <param name="activation">Applied last.</param>
    /// <param name="channels">C_out of the output.</param>
    /// <param name="positions">Output positions per channel plane (oD·oH·oW).</param>
    public ConvolutionEpilogue(ReadOnlyMemory<float> scale, ReadOnlyMemory<float> shift, ReadOnlyMemory<float> residual,
        ConvolutionActivation activation, int channels, int positions)
    {
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), $"channels must be > 0, got {channels}.");
        if (positions < 0) throw new ArgumentOutOfRangeException(nameof(positions), $"positions must be >= 0, got {positions}.");
        if (scale.Length != channels) throw new ArgumentException($"scale has {scale.Length} values, expected {channels} (one per channel).", nameof(scale));
        if (shift.Length != channels) throw new ArgumentException($"shift has {shift.Length} values, expected {channels} (one per channel).", nameof(shift));
        long plane = (long)channels * positions;
        if (!residual.IsEmpty && (plane == 0 || residual.Length % plane != 0))
            throw new ArgumentException($"residual has {residual.Length} values, expected a whole number of samples of {channels}·{positions}.", nameof(residual));
        if (!Enum.IsDefined(activation)) throw new ArgumentOutOfRangeException(nameof(activation), $"Unknown activation {activation}.");
        (Scale, Shift, Residual, Activation, Channels, Positions) = (scale, shift, residual, activation, channels, positions);
    }

    public ReadOnlyMemory<float> Scale { get; }
    public ReadOnlyMemory<float> Shift { get; }
    /// <summary>Empty, or (N, Channels, Positions): added after the shift, before the activation.</summary>
    public ReadOnlyMemory<float> Residual { get; }
    public ConvolutionActivation Activation { get; }
    public int Channels { get; }
    public int Positions { get; }

    public bool HasResidual => !Residual.IsEmpty;

    /// <summary>
    /// Finishes, in place, the run output[sample, channel, positionOffset .. positionOffset + run.Length) of the output
    /// (which must lie inside one channel plane). Allocates nothing; safe to call from several threads on disjoint runs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(Span<float> run, int sample, int channel, int positionOffset)
    {
        if ((uint)channel >= (uint)Channels)
            throw new ArgumentOutOfRangeException(nameof(channel), $"channel {channel} is outside [0, {Channels}).");
        if (positionOffset < 0 || positionOffset + run.Length > Positions)
            throw new ArgumentOutOfRangeException(nameof(positionOffset), $"run [{positionOffset}, {positionOffset + run.Length}) is outside the plane of {Positions} positions.");
        // Slice checks that the sample lies inside the residual.
        var residual = Residual.IsEmpty
            ? ReadOnlySpan<float>.Empty
            : Residual.Span.Slice((sample * Channels + channel) * Positions + positionOffset, run.Length);
        Finish(run, Scale.Span[channel], Shift.Span[channel], residual, Activation == ConvolutionActivation.Relu);
    }

    /// <summary>
    /// Finishes, in place, the whole output (batch, Channels, Positions): one task per range of channel planes, split over
    /// the worker threads by <see cref="WorkSplit"/>.
    /// </summary>
    public void Apply(Memory<float> output, int batch)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), $"batch must be >= 0, got {batch}.");
        int planes = batch * Channels, size = planes * Positions;
        if (output.Length < size)
            throw new ArgumentException($"output has {output.Length} values, expected at least {batch}·{Channels}·{Positions} = {size}.", nameof(output));
        if (!Residual.IsEmpty && Residual.Length != size)
            throw new ArgumentException($"residual has {Residual.Length} values, the output {size}.", nameof(output));
        var epilogue = this;
        WorkSplit.For(planes, Positions, (start, end) =>
        {
            var values = output.Span;
            int positions = epilogue.Positions, channels = epilogue.Channels;
            for (int plane = start; plane < end; plane++)
                epilogue.Apply(values.Slice(plane * positions, positions), plane / channels, plane % channels, 0);
        });
    }

    /// <summary>run = act(run·scale + shift (+ residual)), elementwise, one pass: Vector512, then Vector256, then scalar.</summary>
    private static void Finish(Span<float> run, float scale, float shift, ReadOnlySpan<float> residual, bool relu)
    {
        ref float values = ref MemoryMarshal.GetReference(run);
        ref float addends = ref MemoryMarshal.GetReference(residual);
        bool add = !residual.IsEmpty;
        int i = 0, n = run.Length;
        if (Vector512.IsHardwareAccelerated) Finish<Lanes512, Vector512<float>>(ref values, ref addends, ref i, n, scale, shift, add, relu);
        if (Vector256.IsHardwareAccelerated) Finish<Lanes256, Vector256<float>>(ref values, ref addends, ref i, n, scale, shift, add, relu);
        Finish<Lane, float>(ref values, ref addends, ref i, n, scale, shift, add, relu);
    }

    /// <summary>Whole vectors of <typeparamref name="TLanes"/> from <paramref name="i"/> on; <paramref name="i"/> ends after the last one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Finish<TLanes, TVector>(ref float values, ref float addends, ref int i, int n, float scale, float shift, bool add, bool relu)
        where TLanes : struct, ILanes<TVector> where TVector : struct
    {
        var (factor, offset) = (TLanes.Broadcast(scale), TLanes.Broadcast(shift));
        for (; i <= n - TLanes.Count; i += TLanes.Count)
        {
            // x·scale + shift as two roundings (no FMA), as BatchNorm.Affine and TensorPrimitives.MultiplyAdd.
            var v = TLanes.Add(TLanes.Multiply(TLanes.Load(ref values, (nuint)i), factor), offset);
            if (add) v = TLanes.Add(v, TLanes.Load(ref addends, (nuint)i));
            if (relu) v = TLanes.Relu(v);
            TLanes.Store(v, ref values, (nuint)i);
        }
    }
}
