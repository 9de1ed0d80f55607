namespace Fovea.Vision.Training;

/// <summary>Reading classifier outputs: arg-max, top-k and counts of correct predictions, from logits (B, classes).</summary>
public static class Predictions
{
    /// <summary>Index of the largest score of each row (the first on ties, like torch.argmax).</summary>
    public static int[] ArgMax(Tensor logits)
    {
        var (rows, classes) = Check(logits);
        var values = logits.ReadOnlySpan;
        var result = new int[rows];
        for (int row = 0; row < rows; row++)
        {
            var scores = values.Slice(row * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++)
                if (scores[c] > scores[best]) best = c;
            result[row] = best;
        }
        return result;
    }

    /// <summary>How many rows have their label among their <paramref name="k"/> largest scores (all of them when k ≥ classes).
    /// A label ties into the top k only when fewer than k scores are strictly larger.</summary>
    public static int CountInTopK(Tensor logits, ReadOnlySpan<int> labels, int k)
    {
        var (rows, classes) = Check(logits);
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), $"k must be > 0, got {k}.");
        if (labels.Length != rows) throw new ArgumentException($"{labels.Length} labels for logits of shape {logits.Shape}.", nameof(labels));
        var values = logits.ReadOnlySpan;
        int hits = 0;
        for (int row = 0; row < rows; row++)
        {
            var scores = values.Slice(row * classes, classes);
            float own = scores[labels[row]];
            int larger = 0;
            foreach (float score in scores)
                if (score > own) larger++;
            if (larger < k) hits++;
        }
        return hits;
    }

    /// <summary>How many rows have their largest score at the label's index.</summary>
    public static int CountCorrect(Tensor logits, ReadOnlySpan<int> labels)
    {
        var predicted = ArgMax(logits);
        if (labels.Length != predicted.Length) throw new ArgumentException($"{labels.Length} labels for logits of shape {logits.Shape}.", nameof(labels));
        int correct = 0;
        for (int i = 0; i < predicted.Length; i++)
            if (predicted[i] == labels[i]) correct++;
        return correct;
    }

    /// <summary>The <paramref name="k"/> most probable classes of one row of logits, with their softmax probabilities, most probable first.</summary>
    public static (int Class, float Probability)[] TopK(ReadOnlySpan<float> logits, int k)
    {
        if (logits.Length == 0) throw new ArgumentException("logits is empty.", nameof(logits));
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), $"k must be > 0, got {k}.");
        float max = float.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        var probabilities = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += probabilities[i] = Math.Exp(logits[i] - max);
        return [.. Enumerable.Range(0, logits.Length).OrderByDescending(i => probabilities[i]).ThenBy(i => i)
            .Take(k).Select(i => (i, (float)(probabilities[i] / sum)))];
    }

    private static (int Rows, int Classes) Check(Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank != 2 || logits.Shape[1] == 0)
            throw new ArgumentException($"logits must be (B, classes), got shape {logits.Shape}.", nameof(logits));
        return (logits.Shape[0], logits.Shape[1]);
    }
}
