namespace Fovea.Vision.Training;

/// <summary>Running figures of the current epoch after a batch. <see cref="Remaining"/> estimates the time left for the whole run.</summary>
public readonly record struct BatchProgress(int Epoch, int Epochs, int Batch, int Batches, double MeanLoss, double Accuracy,
    double ImagesPerSecond, TimeSpan Remaining);

/// <summary>Receives progress from a <see cref="Trainer"/> (a progress bar, plain log lines, a test recorder).</summary>
public interface ITrainingObserver
{
    /// <param name="firstBatch">1 for a fresh epoch; later when an epoch resumes from a checkpoint.</param>
    void EpochStarted(int epoch, int epochs, int batches, int firstBatch);
    void BatchFinished(BatchProgress progress);
    void EpochFinished(EpochMetrics metrics, int epochs);
}

/// <summary>An observer that ignores everything.</summary>
public sealed class SilentObserver : ITrainingObserver
{
    public static SilentObserver Instance { get; } = new();
    public void EpochStarted(int epoch, int epochs, int batches, int firstBatch) { }
    public void BatchFinished(BatchProgress progress) { }
    public void EpochFinished(EpochMetrics metrics, int epochs) { }
}
