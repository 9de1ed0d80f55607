namespace Fovea;

/// <summary>
/// Walks a recorded graph in reverse topological order, accumulating gradients. Gradient buffers the pass
/// creates are recycled through the <see cref="StoragePool"/> as soon as the last node that reads them is
/// done (see <see cref="GradientBuffers"/>), sums of gradients are formed in place when the engine owns the
/// target exclusively, and a pass without retainGraph frees the graph (saved tensors and input links) so
/// that the activations die with the last user reference instead of with the loss tensor.
/// </summary>
internal static class BackwardEngine
{
    public static void Run(Tensor root, Tensor gradient, bool retainGraph)
    {
        var order = TopologicalOrder(root);
        var pending = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance) { [root] = gradient };
        using var _ = Autograd.NoGrad();
        using var buffers = GradientBuffers.Track();
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var tensor = order[i];
            if (!pending.Remove(tensor, out var grad)) continue;
            var node = tensor.GradFn;
            if (node is null)
            {
                AccumulateLeaf(tensor, grad, buffers);
                continue;
            }
            if (tensor.RetainsGrad) Accumulate(tensor, grad);
            var backward = node.Backward ?? throw new InvalidOperationException(
                $"Trying to backward through the graph a second time (op '{node.OpName}'): its saved tensors were freed by the first Backward(). Pass retainGraph: true to the first call if you need to backward twice.");
            var inputGrads = backward(grad);
            for (int k = 0; k < node.Inputs.Length; k++)
            {
                var input = node.Inputs[k];
                var inputGrad = inputGrads[k];
                if (inputGrad is null || !input.RequiresGrad) continue;
                if (inputGrad.Shape != input.Shape)
                    throw new InvalidOperationException($"Op '{node.OpName}' returned a gradient of shape {inputGrad.Shape} for input {k} of shape {input.Shape}.");
                buffers.AddReference(inputGrad);
                pending[input] = pending.TryGetValue(input, out var existing) ? Sum(existing, inputGrad, buffers) : inputGrad;
            }
            // Only now: a backward function may have passed its incoming gradient (or a view of it) through.
            buffers.Release(grad);
            if (!retainGraph) node.Free();
        }
    }

    /// <summary>existing + addition, in place when the engine owns existing's storage alone (a backward function may hand the same tensor to several inputs).</summary>
    private static Tensor Sum(Tensor existing, Tensor addition, GradientBuffers buffers)
    {
        if (buffers.IsExclusive(existing) && !ReferenceEquals(existing.Data, addition.Data))
        {
            existing.AddInPlace(addition);
            buffers.Release(addition);
            return existing;
        }
        var sum = existing + addition;
        buffers.AddReference(sum);
        buffers.Release(existing);
        buffers.Release(addition);
        return sum;
    }

    private static void AccumulateLeaf(Tensor leaf, Tensor grad, GradientBuffers buffers)
    {
        if (leaf.GradInternal is null && buffers.IsExclusive(grad))
        {
            // Nothing else refers to this buffer: hand it over instead of copying it.
            buffers.Disown(grad);
            leaf.MoveGrad(grad);
            return;
        }
        Accumulate(leaf, grad);
        buffers.Release(grad);
    }

    private static void Accumulate(Tensor tensor, Tensor grad)
    {
        // Clone: the gradient tensor may be shared with other nodes or the caller.
        if (tensor.GradInternal is not { } existing) tensor.Grad = grad.Clone();
        else existing.AddInPlace(grad);
    }

    // Iterative depth-first search: graphs of deep networks overflow a recursive one.
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor Tensor, int NextInput)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (tensor, next) = stack.Pop();
            var inputs = tensor.GradFn?.Inputs;
            if (inputs is not null && next < inputs.Length)
            {
                stack.Push((tensor, next + 1));
                var input = inputs[next];
                if (input.RequiresGrad && visited.Add(input)) stack.Push((input, 0));
            }
            else order.Add(tensor);
        }
        return order;
    }
}
