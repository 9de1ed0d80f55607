namespace Fovea;

/// <summary>
/// A per-step arena (the counterpart of TorchSharp's <c>torch.NewDisposeScope()</c>):
/// <code>
/// using (TensorScope.Begin())
/// {
///     optimizer.ZeroGrad();
///     loss.Forward(model.Forward(input), labels).Backward();
///     optimizer.Step();
/// }
/// </code>
/// The large storage that ops allocate on this thread inside the scope (activations, gradients, outputs)
/// goes back to the <see cref="StoragePool"/> when the scope ends, so the next step reuses it instead of
/// leaving it to the garbage collector. Storage that must outlive the scope stays alive: a tensor stored
/// as some tensor's <see cref="Tensor.Grad"/> (parameters' gradients), registered as a module parameter or
/// buffer, or passed to <see cref="Keep"/>. Every other tensor created inside the scope whose storage was
/// recycled is disposed: using it afterwards throws <see cref="ObjectDisposedException"/> instead of
/// reading memory another tensor now owns. The graphs recorded inside the scope are freed at its end
/// (values survive through Keep, not graphs). Scopes nest; storage belongs to the innermost.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? current;

    private readonly TensorScope? outer;
    private readonly Thread owner = Thread.CurrentThread;
    private readonly HashSet<float[]> created = new(ReferenceEqualityComparer.Instance);
    private readonly List<Tensor> tensors = [];
    private bool disposed;

    private TensorScope()
    {
        outer = current;
        current = this;
    }

    /// <summary>Opens a scope on the current thread; dispose it on the same thread.</summary>
    public static TensorScope Begin() => new();

    /// <summary>
    /// Lets <paramref name="tensor"/>'s values (and every tensor sharing its storage) outlive all open scopes.
    /// Returns the tensor.
    /// </summary>
    public static Tensor Keep(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        for (var scope = current; scope is not null; scope = scope.outer)
            if (tensor.StorageOrNull is { } storage) scope.created.Remove(storage);
        return tensor;
    }

    /// <summary>Called by NewStorage for every poolable array it hands out on this thread.</summary>
    internal static void Created(float[] storage) => current?.created.Add(storage);

    /// <summary>The backward pass recycled <paramref name="storage"/> itself: no scope may return it again.</summary>
    internal static void Recycled(float[] storage)
    {
        for (var scope = current; scope is not null; scope = scope.outer) scope.created.Remove(storage);
    }

    /// <summary>Called by the Tensor constructor.</summary>
    internal static void Constructed(Tensor tensor) => current?.tensors.Add(tensor);

    public void Dispose()
    {
        if (disposed) return;
        if (Thread.CurrentThread != owner)
            throw new InvalidOperationException("A TensorScope must be disposed on the thread that began it.");
        if (!ReferenceEquals(current, this))
            throw new InvalidOperationException("TensorScopes must be disposed innermost first.");
        disposed = true;
        current = outer;
        foreach (var tensor in tensors)
        {
            // Free the graph: its backward functions hold raw arrays that are about to be reused.
            tensor.FreeGraph();
            if (tensor.StorageOrNull is { } storage && created.Contains(storage)) tensor.MarkDisposed();
        }
        foreach (var storage in created) StoragePool.Return(storage);
        created.Clear();
        tensors.Clear();
    }
}
