namespace Fovea;

/// <summary>Walks a recorded graph in reverse topological order, accumulating gradients.</summary>
internal static class BackwardEngine
{
    public static void Run(Tensor root, Tensor gradient, bool retainGraph)
    {
        var order = TopologicalOrder(root);
        var pending = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance) { [root] = gradient };
        using var _ = Autograd.NoGrad();
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var tensor = order[i];
            if (!pending.Remove(tensor, out var grad)) continue;
            var node = tensor.GradFn;
            if (node is null || tensor.RetainsGrad)
                Accumulate(tensor, grad);
            if (node is null) continue;
            var backward = node.Backward ?? throw new InvalidOperationException(
                $"Trying to backward through the graph a second time (op '{node.OpName}'): its saved tensors were freed by the first Backward(). Pass retainGraph: true to the first call if you need to backward twice.");
            var inputGrads = backward(grad);
            if (!retainGraph) node.Backward = null;
            for (int k = 0; k < node.Inputs.Length; k++)
            {
                var input = node.Inputs[k];
                var inputGrad = inputGrads[k];
                if (inputGrad is null || !input.RequiresGrad) continue;
                if (inputGrad.Shape != input.Shape)
                    throw new InvalidOperationException($"Op '{node.OpName}' returned a gradient of shape {inputGrad.Shape} for input {k} of shape {input.Shape}.");
                // Never add in place here: a backward function may hand the same tensor to several inputs.
                pending[input] = pending.TryGetValue(input, out var existing) ? existing + inputGrad : inputGrad;
            }
        }
    }

    private static void Accumulate(Tensor tensor, Tensor grad)
    {
        // Clone: the gradient tensor may be shared with other nodes or the caller.
        if (tensor.Grad is null) tensor.Grad = grad.Clone();
        else tensor.Grad.AddInPlace(grad);
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
