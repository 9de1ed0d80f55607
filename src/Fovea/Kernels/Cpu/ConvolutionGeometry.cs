namespace Fovea.Kernels.Cpu;

/// <summary>Sizes along the three spatial dimensions (depth, height, width) of a canonical 3-D window.</summary>
internal readonly record struct Extent3(int Depth, int Height, int Width)
{
    public int Product => Depth * Height * Width;

    /// <summary>
    /// Right-aligns 1 to 3 per-dimension values into (D, H, W), filling the missing outer
    /// dimensions with <paramref name="fill"/>: a 1-D width w becomes (fill, fill, w).
    /// </summary>
    public static Extent3 FromSpatial(ReadOnlySpan<int> values, int fill)
    {
        if (values.Length is < 1 or > 3)
            throw new ArgumentException($"A window has 1 to 3 spatial dimensions, got {values.Length}.", nameof(values));
        int missing = 3 - values.Length;
        return new Extent3(missing > 0 ? fill : values[0], missing > 1 ? fill : values[1 - missing], values[2 - missing]);
    }
}

/// <summary>
/// Everything a convolution kernel needs to know, in a canonical 3-D form: 1-D and 2-D
/// convolutions are 3-D ones whose missing outer spatial dimensions have size 1, kernel 1,
/// stride 1, dilation 1 and no padding, so one vol2col/col2vol pair serves all three.
/// input: (N, C_in, D, H, W), weight: (C_out, C_in/groups, kD, kH, kW), output: (N, C_out, oD, oH, oW).
/// Output position o along a dimension reads input position o·stride + k·dilation − paddingStart
/// for kernel tap k; positions outside [0, size) are zeros (the padding).
/// </summary>
internal readonly record struct ConvolutionGeometry(
    int Batch,
    int InChannels,
    int OutChannels,
    int Groups,
    Extent3 Input,
    Extent3 Kernel,
    Extent3 Output,
    Extent3 Stride,
    Extent3 Dilation,
    Extent3 PaddingStart)
{
    public int InChannelsPerGroup => InChannels / Groups;
    public int OutChannelsPerGroup => OutChannels / Groups;

    /// <summary>Rows of the column matrix of one group: C_in/groups · kD·kH·kW (one per weight of a filter).</summary>
    public int ColumnRows => InChannelsPerGroup * Kernel.Product;

    /// <summary>Columns of the column matrix: oD·oH·oW (one per output position).</summary>
    public int ColumnCount => Output.Product;

    /// <summary>Floats of the workspace the kernels need (one group's column matrix).</summary>
    public int WorkspaceSize => ColumnRows * ColumnCount;

    public int InputSize => Batch * InChannels * Input.Product;
    public int OutputSize => Batch * OutChannels * Output.Product;
    public int WeightSize => OutChannels * ColumnRows;
}
