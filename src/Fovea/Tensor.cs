using System.Runtime.CompilerServices;

namespace Fovea;

/// <summary>
/// A float32, row-major, contiguous n-dimensional array that can record the ops applied to it
/// (define-by-run autograd). Reshape/View/Detach share storage; every other op returns a new
/// contiguous tensor.
/// </summary>
public sealed partial class Tensor
{
    // Null once a TensorScope has recycled the storage (the tensor is disposed).
    private float[]? storage;
    private bool requiresGrad;

    /// <summary>Wraps <paramref name="storage"/> without copying. The storage must hold exactly shape.Size elements.</summary>
    internal Tensor(float[] storage, Shape shape)
    {
        if (storage.Length != shape.Size)
            throw new ArgumentException($"Storage has {storage.Length} elements but shape {shape} needs {shape.Size}.", nameof(storage));
        this.storage = storage;
        Shape = shape;
        TensorScope.Constructed(this);
    }

    public Shape Shape { get; }
    public int Rank => Shape.Rank;
    /// <summary>Number of elements.</summary>
    public int Size => data.Length;
    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Dim(int dim) => Shape[Shape.NormalizeAxis(dim)];

    /// <summary>The elements, row-major. Writing through it bypasses autograd.</summary>
    public Span<float> Span => data;
    public ReadOnlySpan<float> ReadOnlySpan => data;
    /// <summary>The backing array (for kernels). Shared with views.</summary>
    internal float[] Data => data;

    // Every read of the elements goes through here, so a disposed tensor fails loudly.
    private float[] data => storage ?? throw new ObjectDisposedException(nameof(Tensor),
        $"This tensor of shape {Shape} was created inside a TensorScope that has ended, and its storage was recycled. Use TensorScope.Keep(tensor) inside the scope to keep it.");

    /// <summary>The storage, or null once disposed.</summary>
    internal float[]? StorageOrNull => storage;

    /// <summary>A TensorScope recycled the storage: any later use throws.</summary>
    internal void MarkDisposed() => storage = null;

    /// <summary>Drops the backward function and input links of the op that produced this tensor.</summary>
    internal void FreeGraph()
    {
        GradFn?.Free();
    }

    /// <summary>The accumulated gradient after Backward(), or null.</summary>
    public Tensor? Grad
    {
        get
        {
            gradExposed = true;
            return grad;
        }
        set
        {
            // A gradient outlives any TensorScope it was computed in.
            grad = value is null ? null : TensorScope.Keep(value);
            (gradRecyclable, gradExposed) = (false, false);
        }
    }
    private Tensor? grad;
    // The backward pass handed Grad a buffer nothing else refers to, and no caller has read Grad since:
    // dropping it (ZeroGrad) may recycle the storage.
    private bool gradRecyclable, gradExposed;

    /// <summary>Grad, read by library code that keeps no reference to it (the optimizers, clipping, the engine).</summary>
    internal Tensor? GradInternal => grad;

    /// <summary>The backward pass moves a gradient buffer that it alone refers to into Grad.</summary>
    internal void MoveGrad(Tensor value)
    {
        grad = TensorScope.Keep(value);
        (gradRecyclable, gradExposed) = (true, false);
    }

    /// <summary>Grad = null (zero_grad's set_to_none); the storage is recycled when only the backward pass ever held it.</summary>
    internal void DropGrad()
    {
        if (grad is { } old && gradRecyclable && !gradExposed && old.StorageOrNull is { } recycled)
        {
            old.MarkDisposed();
            StoragePool.Return(recycled);
        }
        grad = null;
        (gradRecyclable, gradExposed) = (false, false);
    }

    /// <summary>The op that produced this tensor, or null for a leaf.</summary>
    internal GradNode? GradFn { get; private set; }

    /// <summary>True for tensors created by the user (not by a recorded op).</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>True when a non-leaf keeps its gradient in <see cref="Grad"/> (torch's retain_grad).</summary>
    public bool RetainsGrad { get; private set; }

    /// <summary>Whether gradients flow to this tensor. Only leaves can be switched.</summary>
    public bool RequiresGrad
    {
        get => requiresGrad;
        set
        {
            if (!IsLeaf && !value)
                throw new InvalidOperationException($"RequiresGrad can only be turned off on a leaf; this tensor was produced by '{GradFn!.OpName}'. Use Detach().");
            requiresGrad = value;
        }
    }

    /// <summary>Fluent form of <see cref="RequiresGrad"/>.</summary>
    public Tensor RequiresGradient(bool value = true) { RequiresGrad = value; return this; }

    /// <summary>Keep this non-leaf's gradient in <see cref="Grad"/> after Backward().</summary>
    public Tensor RetainGrad() { if (!IsLeaf) RetainsGrad = true; return this; }

    /// <summary>The same storage, cut from the graph.</summary>
    public Tensor Detach() => new(data, Shape);

    /// <summary>A copy with its own storage, recorded (gradient flows back to this tensor).</summary>
    public Tensor Clone()
    {
        var result = new Tensor((float[])data.Clone(), Shape);
        return Record(result, "clone", [this], grad => [grad]);
    }

    /// <summary>
    /// Back-propagates from this tensor. Without <paramref name="gradient"/> the tensor must hold one
    /// element (a scalar loss); otherwise <paramref name="gradient"/> must have this tensor's shape.
    /// </summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false)
    {
        if (!RequiresGrad)
            throw new InvalidOperationException("Backward() called on a tensor that does not require grad (no input of the graph has RequiresGrad = true, or it was built inside Autograd.NoGrad()).");
        if (gradient is null)
        {
            if (Size != 1)
                throw new InvalidOperationException($"Backward() without a gradient needs a scalar (one-element) tensor, but this one has shape {Shape}. Pass a gradient of that shape, or reduce first (e.g. Sum()).");
            gradient = Ones(Shape);
        }
        else if (gradient.Shape != Shape)
            throw new ArgumentException($"gradient has shape {gradient.Shape}, but the tensor has shape {Shape}.", nameof(gradient));
        BackwardEngine.Run(this, gradient.Detach(), retainGraph);
    }

    /// <summary>
    /// Attaches a backward function to <paramref name="result"/> when recording is on and any input
    /// requires grad. Every differentiable op ends with this call.
    /// </summary>
    internal static Tensor Record(Tensor result, string opName, Tensor[] inputs, Func<Tensor, Tensor?[]> backward) =>
        Record(result, opName, inputs, backward, release: null);

    /// <summary>
    /// <see cref="Record(Tensor, string, Tensor[], Func{Tensor, Tensor?[]})"/> for a backward function that saved
    /// pooled buffers: <paramref name="release"/> gives them back once the graph is freed (after the last
    /// backward pass through it, or at the end of its TensorScope), or right away when nothing is recorded.
    /// </summary>
    internal static Tensor Record(Tensor result, string opName, Tensor[] inputs, Func<Tensor, Tensor?[]> backward, Action? release)
    {
        bool any = false;
        if (Autograd.IsEnabled)
            foreach (var input in inputs) any |= input.RequiresGrad;
        if (!any)
        {
            release?.Invoke();
            return result;
        }
        result.requiresGrad = true;
        result.GradFn = new GradNode(opName, inputs, backward) { Release = release };
        return result;
    }

    // ---- element access ----

    /// <summary>The single value of a one-element tensor.</summary>
    public float Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Item() needs a one-element tensor, got shape {Shape}.");
        return data[0];
    }

    [IndexerName("Element")]
    public float this[params int[] index]
    {
        get => data[FlatIndex(index)];
        set => data[FlatIndex(index)] = value;
    }

    private int FlatIndex(int[] index)
    {
        if (index.Length != Rank)
            throw new ArgumentException($"Index has {index.Length} coordinates, tensor of shape {Shape} has rank {Rank}.", nameof(index));
        int flat = 0;
        for (int i = 0; i < index.Length; i++)
        {
            int coordinate = index[i] < 0 ? index[i] + Shape[i] : index[i];
            if ((uint)coordinate >= (uint)Shape[i])
                throw new ArgumentOutOfRangeException(nameof(index), $"Index {index[i]} is out of range for dimension {i} of size {Shape[i]} (shape {Shape}).");
            flat = flat * Shape[i] + coordinate;
        }
        return flat;
    }

    public float[] ToArray() => (float[])data.Clone();

    public override string ToString()
    {
        const int shown = 8;
        if (storage is null) return $"Tensor{Shape}[disposed]";
        var values = string.Join(", ", data.Take(shown).Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)));
        return $"Tensor{Shape}[{values}{(Size > shown ? ", ..." : "")}]{(RequiresGrad ? " requires_grad" : "")}";
    }

    // ---- views ----

    /// <summary>Same storage, new shape (one dimension may be -1). Recorded.</summary>
    public Tensor Reshape(params int[] shape)
    {
        var target = InferShape(shape);
        var result = new Tensor(data, target);
        var source = Shape;
        return Record(result, "reshape", [this], grad => [grad.Reshape(source.ToArray())]);
    }

    /// <summary>Alias of <see cref="Reshape"/> (every tensor is contiguous).</summary>
    public Tensor View(params int[] shape) => Reshape(shape);

    /// <summary>Flattens dimensions startDim..endDim into one.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0) return Reshape(1);
        int start = Shape.NormalizeAxis(startDim, nameof(startDim)), end = Shape.NormalizeAxis(endDim, nameof(endDim));
        if (start > end) throw new ArgumentException($"startDim ({startDim}) comes after endDim ({endDim}) for shape {Shape}.", nameof(startDim));
        var dims = new List<int>();
        for (int i = 0; i < start; i++) dims.Add(Shape[i]);
        int merged = 1;
        for (int i = start; i <= end; i++) merged *= Shape[i];
        dims.Add(merged);
        for (int i = end + 1; i < Rank; i++) dims.Add(Shape[i]);
        return Reshape([.. dims]);
    }

    private Shape InferShape(int[] shape)
    {
        int inferred = -1, known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (inferred >= 0) throw new ArgumentException($"Only one dimension can be -1, got {Shape.Format(shape)}.", nameof(shape));
                inferred = i;
            }
            else if (shape[i] < 0) throw new ArgumentOutOfRangeException(nameof(shape), $"Invalid dimension {shape[i]} in {Shape.Format(shape)}.");
            else known *= shape[i];
        }
        var dims = (int[])shape.Clone();
        if (inferred >= 0)
        {
            if (known == 0 || Size % known != 0)
                throw new ArgumentException($"Cannot reshape a tensor of shape {Shape} ({Size} elements) to {Shape.Format(shape)}.", nameof(shape));
            dims[inferred] = Size / known;
        }
        var target = new Shape(dims);
        if (target.Size != Size)
            throw new ArgumentException($"Cannot reshape a tensor of shape {Shape} ({Size} elements) to {target} ({target.Size} elements).", nameof(shape));
        return target;
    }

    /// <summary>
    /// Uninitialised storage for an op's result. Large arrays come from the <see cref="StoragePool"/> when it
    /// has one of that length (gradient buffers recycled by the backward pass); a backward pass records
    /// them so that it can recycle the gradients it creates.
    /// </summary>
    internal static float[] NewStorage(int size)
    {
        if (size < StoragePool.MinimumLength) return size == 0 ? [] : GC.AllocateUninitializedArray<float>(size);
        var storage = StoragePool.Rent(size);
        GradientBuffers.Created(storage);
        TensorScope.Created(storage);
        return storage;
    }
}
