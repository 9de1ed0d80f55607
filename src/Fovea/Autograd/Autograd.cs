namespace Fovea;

/// <summary>Switches gradient recording on and off for the current thread.</summary>
public static class Autograd
{
    [ThreadStatic] private static int disabledDepth;

    /// <summary>True when ops record their backward functions (the default).</summary>
    public static bool IsEnabled => disabledDepth == 0;

    /// <summary><c>using (Autograd.NoGrad()) { ... }</c>: no op inside records a graph (torch.no_grad).</summary>
    public static IDisposable NoGrad() => new NoGradScope();

    /// <summary>
    /// <c>using (Autograd.EnableGrad()) { ... }</c>: ops inside record a graph even within a NoGrad scope
    /// (torch.enable_grad); the previous state returns on dispose.
    /// </summary>
    public static IDisposable EnableGrad() => new EnableGradScope();

    private sealed class EnableGradScope : IDisposable
    {
        private readonly int savedDepth = disabledDepth;
        private bool disposed;
        public EnableGradScope() => disabledDepth = 0;
        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            disabledDepth = savedDepth;
        }
    }

    private sealed class NoGradScope : IDisposable
    {
        private bool disposed;
        public NoGradScope() => disabledDepth++;
        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            disabledDepth--;
        }
    }
}

/// <summary>
/// One recorded op: its inputs and the function that maps the gradient of its output to the
/// gradients of its inputs (null where an input needs none).
/// </summary>
internal sealed class GradNode
{
    public GradNode(string opName, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        OpName = opName;
        Inputs = inputs;
        Backward = backward;
    }

    public string OpName { get; }
    /// <summary>Emptied once the graph has been freed (with <see cref="Backward"/>), so that the inputs can die.</summary>
    public Tensor[] Inputs { get; set; }
    /// <summary>Null once the graph has been freed by a backward pass without retainGraph.</summary>
    public Func<Tensor, Tensor?[]>? Backward { get; set; }

    /// <summary>Gives back what the backward function saved in pooled buffers (run once, when the node is freed).</summary>
    public Action? Release { get; set; }

    /// <summary>Frees the node: its backward function, saved buffers and input links (so the inputs can die).</summary>
    public void Free()
    {
        Backward = null;
        Inputs = [];
        var release = Release;
        Release = null;
        release?.Invoke();
    }
}
