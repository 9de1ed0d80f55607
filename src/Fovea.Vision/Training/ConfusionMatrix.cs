namespace Fovea.Vision.Training;

/// <summary>
/// Counts of (actual class, predicted class) pairs, and the accuracies read from them. Row = actual class,
/// column = predicted class (the layout of sklearn's confusion_matrix).
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] counts;

    public ConfusionMatrix(int classCount)
    {
        if (classCount <= 0) throw new ArgumentOutOfRangeException(nameof(classCount), $"classCount must be > 0, got {classCount}.");
        ClassCount = classCount;
        counts = new long[classCount * classCount];
    }

    /// <summary>A matrix with the given counts (rows actual, columns predicted), e.g. read back from metrics.jsonl.</summary>
    public static ConfusionMatrix FromRows(long[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var matrix = new ConfusionMatrix(rows.Length);
        for (int actual = 0; actual < rows.Length; actual++)
        {
            if (rows[actual] is null || rows[actual].Length != rows.Length)
                throw new ArgumentException($"row {actual} has {rows[actual]?.Length ?? 0} counts; a {rows.Length}-class matrix needs {rows.Length}.", nameof(rows));
            for (int predicted = 0; predicted < rows.Length; predicted++)
            {
                if (rows[actual][predicted] < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"count [{actual}, {predicted}] is negative: {rows[actual][predicted]}.");
                matrix.counts[actual * rows.Length + predicted] = rows[actual][predicted];
            }
        }
        return matrix;
    }

    public int ClassCount { get; }

    /// <summary>How many items of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => counts[Index(actual, predicted)];

    public long Total => counts.Sum();

    public void Add(int actual, int predicted) => counts[Index(actual, predicted)]++;

    /// <summary>Fraction of all items on the diagonal; 0 when empty.</summary>
    public double Accuracy
    {
        get
        {
            long correct = 0;
            for (int c = 0; c < ClassCount; c++) correct += this[c, c];
            long total = Total;
            return total == 0 ? 0 : (double)correct / total;
        }
    }

    /// <summary>For each class, the fraction of its items predicted correctly (recall); NaN for a class with no items.</summary>
    public double[] PerClassAccuracy()
    {
        var result = new double[ClassCount];
        for (int c = 0; c < ClassCount; c++)
        {
            long row = 0;
            for (int p = 0; p < ClassCount; p++) row += this[c, p];
            result[c] = row == 0 ? double.NaN : (double)this[c, c] / row;
        }
        return result;
    }

    /// <summary>The counts as rows (actual) of columns (predicted).</summary>
    public long[][] ToRows() => [.. Enumerable.Range(0, ClassCount).Select(r => counts.AsSpan(r * ClassCount, ClassCount).ToArray())];

    private int Index(int actual, int predicted)
    {
        if ((uint)actual >= (uint)ClassCount) throw new ArgumentOutOfRangeException(nameof(actual), $"class {actual} is out of range for {ClassCount} classes.");
        if ((uint)predicted >= (uint)ClassCount) throw new ArgumentOutOfRangeException(nameof(predicted), $"class {predicted} is out of range for {ClassCount} classes.");
        return actual * ClassCount + predicted;
    }
}
