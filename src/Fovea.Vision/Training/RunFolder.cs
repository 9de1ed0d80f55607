using System.Text;
using System.Text.Json;
using Fovea.Serialization;

namespace Fovea.Vision.Training;

/// <summary>
/// The files of a training run folder: last.safetensors (the latest checkpoint, also written every N steps),
/// best.safetensors (the checkpoint of the best epoch), metrics.jsonl (one JSON object per epoch), loss.png,
/// accuracy.png and confusion_matrix.png. Every file is written atomically.
/// </summary>
public static class RunFolder
{
    public const string LastCheckpoint = "last.safetensors";
    public const string BestCheckpoint = "best.safetensors";
    public const string Metrics = "metrics.jsonl";
    public const string LossCurve = "loss.png";
    public const string AccuracyCurve = "accuracy.png";
    public const string ConfusionMatrixImage = "confusion_matrix.png";

    public static IReadOnlyList<string> FileNames { get; } = [LastCheckpoint, BestCheckpoint, Metrics, LossCurve, AccuracyCurve, ConfusionMatrixImage];

    /// <summary>Rewrites metrics.jsonl from the whole history (so a resumed run's file has each epoch once).</summary>
    public static void WriteMetrics(string directory, IEnumerable<EpochMetrics> history)
    {
        var text = new StringBuilder();
        foreach (var metrics in history) text.Append(JsonSerializer.Serialize(metrics, Checkpoint.Json)).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        AtomicFile.Write(Path.Combine(directory, Metrics), stream => stream.Write(bytes));
    }

    /// <summary>Reads metrics.jsonl back.</summary>
    public static List<EpochMetrics> ReadMetrics(string path) =>
        [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<EpochMetrics>(l, Checkpoint.Json)!)];

    /// <summary>Draws the curves and, when the best epoch has one, its confusion matrix.</summary>
    public static void WritePlots(string directory, IReadOnlyList<EpochMetrics> history, int bestEpoch, ModelDescription model)
    {
        if (history.Count == 0) return;
        TrainingPlots.WriteLossCurve(Path.Combine(directory, LossCurve), history, $"{model.Name}: loss");
        TrainingPlots.WriteAccuracyCurve(Path.Combine(directory, AccuracyCurve), history, $"{model.Name}: accuracy");
        var best = history.FirstOrDefault(m => m.Epoch == bestEpoch) ?? history[^1];
        if (best.ConfusionMatrix is { } rows)
        {
            var matrix = ConfusionMatrix.FromRows(rows);
            TrainingPlots.WriteConfusionMatrix(Path.Combine(directory, ConfusionMatrixImage), matrix, model.ClassNames,
                $"{model.Name}, epoch {best.Epoch}: validation accuracy {100 * best.ValidationAccuracy:F2}%");
        }
    }

    /// <summary>Deletes temporary files that a killed process left behind while writing one of the run's files.</summary>
    public static void RemoveStaleTemporaries(string directory)
    {
        if (!Directory.Exists(directory)) return;
        foreach (var file in Directory.GetFiles(directory, ".*.tmp"))
        {
            var name = Path.GetFileName(file);
            if (FileNames.Any(known => name.StartsWith("." + known + ".", StringComparison.Ordinal)))
                File.Delete(file);
        }
    }
}
