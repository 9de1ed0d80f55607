namespace Fovea;

public sealed partial class Tensor
{
    public static Tensor Zeros(params int[] shape) => Zeros(new Shape(shape));
    public static Tensor Zeros(Shape shape) => new(new float[shape.Size], shape);
    public static Tensor Ones(params int[] shape) => Full(new Shape(shape), 1f);
    public static Tensor Ones(Shape shape) => Full(shape, 1f);
    public static Tensor Full(Shape shape, float value)
    {
        var storage = NewStorage(shape.Size);
        Array.Fill(storage, value);
        return new Tensor(storage, shape);
    }
    public static Tensor ZerosLike(Tensor t) => Zeros(t.Shape);
    public static Tensor OnesLike(Tensor t) => Ones(t.Shape);

    /// <summary>A scalar (rank 0) tensor.</summary>
    public static Tensor Scalar(float value) => new([value], new Shape());

    /// <summary>start, start+step, ... below end (torch.arange).</summary>
    public static Tensor Arange(float start, float end, float step = 1f)
    {
        if (step == 0) throw new ArgumentOutOfRangeException(nameof(step), "step must not be 0.");
        int count = Math.Max(0, (int)Math.Ceiling((end - start) / step));
        var storage = NewStorage(count);
        for (int i = 0; i < count; i++) storage[i] = start + i * step;
        return new Tensor(storage, new Shape(count));
    }
    public static Tensor Arange(int end) => Arange(0, end);

    /// <summary>Copies <paramref name="values"/> into a tensor of the given shape (default: 1-D).</summary>
    public static Tensor FromArray(float[] values, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        var target = shape.Length == 0 ? new Shape(values.Length) : new Shape(shape);
        if (target.Size != values.Length)
            throw new ArgumentException($"{values.Length} values do not fill shape {target} ({target.Size} elements).", nameof(values));
        return new Tensor((float[])values.Clone(), target);
    }

    public static Tensor FromSpan(ReadOnlySpan<float> values, Shape shape)
    {
        if (shape.Size != values.Length)
            throw new ArgumentException($"{values.Length} values do not fill shape {shape} ({shape.Size} elements).", nameof(values));
        return new Tensor(values.ToArray(), shape);
    }

    /// <summary>Uniform samples in [low, high).</summary>
    public static Tensor Rand(Shape shape, Generator? generator = null, float low = 0f, float high = 1f)
    {
        var g = generator ?? Generator.Default;
        var storage = NewStorage(shape.Size);
        for (int i = 0; i < storage.Length; i++) storage[i] = low + (high - low) * g.NextFloat();
        return new Tensor(storage, shape);
    }
    public static Tensor Rand(params int[] shape) => Rand(new Shape(shape));

    /// <summary>Normal samples with the given mean and standard deviation.</summary>
    public static Tensor Randn(Shape shape, Generator? generator = null, float mean = 0f, float std = 1f)
    {
        var g = generator ?? Generator.Default;
        var storage = NewStorage(shape.Size);
        for (int i = 0; i < storage.Length; i++) storage[i] = mean + std * (float)g.NextNormal();
        return new Tensor(storage, shape);
    }
    public static Tensor Randn(params int[] shape) => Randn(new Shape(shape));
}
