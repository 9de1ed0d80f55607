namespace Fovea;

/// <summary>How a loss combines its per-element values (PyTorch's reduction = 'mean' | 'sum' | 'none').</summary>
public enum Reduction
{
    /// <summary>The average (for class-weighted losses: the weighted average). The default.</summary>
    Mean,
    /// <summary>The sum.</summary>
    Sum,
    /// <summary>No reduction: one loss value per element (or per sample).</summary>
    None,
}
