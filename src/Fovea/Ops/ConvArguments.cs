using Fovea.Kernels.Cpu;

namespace Fovea;

/// <summary>
/// Argument checks and geometry shared by the convolution ops (Conv1d/2d/3d and ConvTranspose1d/2d/3d).
/// Every check runs before any work and names the argument, the shape received and the shape expected.
/// </summary>
internal static class ConvArguments
{
    /// <summary>Names of the spatial dimensions: (L), (H, W) or (D, H, W).</summary>
    public static string[] SpatialNames(int spatialRank) => spatialRank switch
    {
        1 => ["L"],
        2 => ["H", "W"],
        _ => ["D", "H", "W"],
    };

    /// <summary>
    /// Checks that input is (N, C, spatial...) or unbatched (C, spatial...) and weight is
    /// (dim0, dim1, k...), with every kernel size > 0. Returns whether the input is batched.
    /// </summary>
    public static bool CheckRanks(string opName, int spatialRank, Tensor input, Tensor weight, string weightChannels)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        var names = SpatialNames(spatialRank);
        string spatial = string.Join(", ", names);
        if (weight.Rank != spatialRank + 2)
            throw new ArgumentException($"{opName}: weight must be ({weightChannels}, {string.Join(", ", names.Select(n => "k" + n))}), got shape {weight.Shape}.", nameof(weight));
        for (int i = 2; i < weight.Rank; i++)
            if (weight.Shape[i] <= 0)
                throw new ArgumentOutOfRangeException(nameof(weight), $"{opName}: kernel sizes must be > 0, got weight shape {weight.Shape}.");
        if (input.Rank != spatialRank + 2 && input.Rank != spatialRank + 1)
            throw new ArgumentException($"{opName}: input must be (N, C, {spatial}) or unbatched (C, {spatial}), got shape {input.Shape}.", nameof(input));
        return input.Rank == spatialRank + 2;
    }

    public static void CheckGroups(int groups)
    {
        if (groups <= 0) throw new ArgumentOutOfRangeException(nameof(groups), $"groups must be > 0, got {groups}.");
    }

    /// <summary>bias must be null or (channels).</summary>
    public static void CheckBias(string opName, Tensor? bias, int channels)
    {
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != channels))
            throw new ArgumentException($"{opName}: bias has shape {bias.Shape}, expected ({channels}) (one per output channel).", nameof(bias));
    }

    /// <summary>The sizes of dimensions start.. of a shape.</summary>
    public static int[] Tail(Shape shape, int start) => shape.Dims[start..].ToArray();

    /// <summary>
    /// The canonical 3-D geometry of a convolution whose (conv-direction) input has <paramref name="inputSpatial"/>
    /// sizes and output <paramref name="outputSpatial"/> sizes; weight is (outChannels, inChannels/groups, kernel...).
    /// </summary>
    public static ConvolutionGeometry Geometry(int batch, int inChannels, int outChannels, int groups,
        int[] inputSpatial, int[] kernel, int[] outputSpatial, int[] stride, int[] dilation, int[] paddingStart) =>
        new(batch, inChannels, outChannels, groups,
            Extent3.FromSpatial(inputSpatial, 1), Extent3.FromSpatial(kernel, 1), Extent3.FromSpatial(outputSpatial, 1),
            Extent3.FromSpatial(stride, 1), Extent3.FromSpatial(dilation, 1), Extent3.FromSpatial(paddingStart, 0));

    // ---- kernel drivers: unrecorded tensors in, unrecorded tensors out ----

    /// <summary>
    /// y = act(w ⊛ x + bias per output channel), the bias and activation applied in the same pass as the
    /// product. x: conv input, result: conv output of shape <paramref name="outputShape"/>.
    /// </summary>
    public static Tensor Forward(in ConvolutionGeometry geometry, Tensor x, Tensor weight, Tensor? bias, Shape outputShape,
        ConvolutionActivation activation = ConvolutionActivation.None)
    {
        var output = Tensor.NewStorage(geometry.OutputSize);
        Convolution.Forward(geometry, x.Data, weight.Data, bias is null ? ReadOnlyMemory<float>.Empty : bias.Data, output, activation);
        return new Tensor(output, outputShape);
    }

    /// <summary>The adjoint of <see cref="Forward"/> (without bias): conv output gradient -> conv input gradient,
    /// plus an optional bias per conv input channel (transposed convolution's bias).</summary>
    public static Tensor BackwardData(in ConvolutionGeometry geometry, Tensor gradOutput, Tensor weight, Tensor? bias, Shape inputShape) =>
        BackwardData(geometry, gradOutput.Data, weight, bias, inputShape);

    /// <summary><see cref="BackwardData(in ConvolutionGeometry, Tensor, Tensor, Tensor?, Shape)"/> from a gradient held in (pooled) memory.</summary>
    public static Tensor BackwardData(in ConvolutionGeometry geometry, ReadOnlyMemory<float> gradOutput, Tensor weight, Tensor? bias, Shape inputShape)
    {
        var gradInput = Tensor.NewStorage(geometry.InputSize);
        Convolution.BackwardData(geometry, gradOutput, weight.Data, gradInput);
        if (bias is not null) Convolution.AddBias(bias.Data, gradInput, geometry.Batch, geometry.InChannels, geometry.Input.Product);
        return new Tensor(gradInput, inputShape);
    }

    /// <summary>Gradient of the (outChannels, inChannels/groups, k...) weight from the conv input and output gradient.</summary>
    public static Tensor BackwardWeight(in ConvolutionGeometry geometry, Tensor x, Tensor gradOutput, Shape weightShape) =>
        BackwardWeight(geometry, x, gradOutput.Data, weightShape);

    /// <summary><see cref="BackwardWeight(in ConvolutionGeometry, Tensor, Tensor, Shape)"/> from a gradient held in (pooled) memory.</summary>
    public static Tensor BackwardWeight(in ConvolutionGeometry geometry, Tensor x, ReadOnlyMemory<float> gradOutput, Shape weightShape)
    {
        var gradWeight = Tensor.NewStorage(geometry.WeightSize);
        Convolution.BackwardWeight(geometry, x.Data, gradOutput, gradWeight);
        return new Tensor(gradWeight, weightShape);
    }

    /// <summary>Σ over batch and positions of a (N, C, ...) gradient -> (C).</summary>
    public static Tensor BiasGradient(Tensor grad) => BiasGradient(grad.Data, grad.Shape);

    /// <summary><see cref="BiasGradient(Tensor)"/> of a gradient of shape <paramref name="shape"/> held in (pooled) memory.</summary>
    public static Tensor BiasGradient(ReadOnlyMemory<float> grad, Shape shape)
    {
        int channels = shape[1], positions = shape.Size / Math.Max(1, shape[0] * channels);
        var gradBias = Tensor.NewStorage(channels);
        Convolution.BiasGradient(grad, gradBias, shape[0], channels, positions);
        return new Tensor(gradBias, new Shape(channels));
    }

    /// <summary>Runs a batched op on an unbatched (C, ...) input by adding and removing a batch dimension of 1.</summary>
    public static Tensor WithBatch(Tensor input, bool batched, Func<Tensor, Tensor> op)
    {
        if (batched) return op(input);
        var output = op(input.Reshape([1, .. input.Shape.Dims]));
        return output.Reshape(Tail(output.Shape, 1));
    }
}
