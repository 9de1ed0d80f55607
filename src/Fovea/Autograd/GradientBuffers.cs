namespace Fovea;

/// <summary>
/// The storage a backward pass creates and may recycle. While a pass runs, every poolable array that
/// <see cref="Tensor.NewStorage"/> hands out on the pass's thread is recorded as engine-created; the engine
/// counts how many pending gradients reference each such array (a backward function may return the same
/// tensor, or a view of it, for several inputs) and returns it to the <see cref="StoragePool"/> when the
/// count drops to zero. Arrays that escape to the user (a leaf's Grad) are disowned first.
/// Rule for backward functions that this relies on: a function must not keep a reference to a gradient
/// it returns, nor to its incoming gradient, after it returns.
/// </summary>
internal sealed class GradientBuffers : IDisposable
{
    [ThreadStatic] private static GradientBuffers? current;

    private readonly GradientBuffers? previous;
    private readonly Dictionary<float[], int> references = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<float[]> created = new(ReferenceEqualityComparer.Instance);

    private GradientBuffers()
    {
        previous = current;
        current = this;
    }

    /// <summary>Starts recording the arrays created on this thread (until Dispose).</summary>
    public static GradientBuffers Track() => new();

    /// <summary>Called by NewStorage for every poolable array it hands out.</summary>
    public static void Created(float[] storage) => current?.created.Add(storage);

    /// <summary>True when the engine created <paramref name="tensor"/>'s storage and holds its only reference.</summary>
    public bool IsExclusive(Tensor tensor) =>
        created.Contains(tensor.Data) && references.TryGetValue(tensor.Data, out int count) && count == 1;

    /// <summary>A pending gradient now refers to <paramref name="tensor"/>'s storage.</summary>
    public void AddReference(Tensor tensor)
    {
        if (!created.Contains(tensor.Data)) return;
        references[tensor.Data] = references.GetValueOrDefault(tensor.Data) + 1;
    }

    /// <summary>A pending gradient referring to <paramref name="tensor"/>'s storage is gone; the last one recycles it.</summary>
    public void Release(Tensor tensor)
    {
        var storage = tensor.Data;
        if (!created.Contains(storage) || !references.TryGetValue(storage, out int count)) return;
        if (count > 1)
        {
            references[storage] = count - 1;
            return;
        }
        references.Remove(storage);
        created.Remove(storage);
        TensorScope.Recycled(storage);
        StoragePool.Return(storage);
    }

    /// <summary>The storage leaves the engine's hands (it became a leaf's Grad): never recycle it.</summary>
    public void Disown(Tensor tensor)
    {
        references.Remove(tensor.Data);
        created.Remove(tensor.Data);
    }

    public void Dispose()
    {
        if (ReferenceEquals(current, this)) current = previous;
    }
}
