using Fovea.Vision.Datasets;

namespace Fovea.Vision.Training;

/// <summary>The figures of one finished epoch (one line of metrics.jsonl). Accuracies are fractions in [0, 1];
/// the validation figures are null without validation data.</summary>
public sealed record EpochMetrics(
    int Epoch,
    long Step,
    double TrainLoss,
    double TrainAccuracy,
    double? ValidationLoss,
    double? ValidationAccuracy,
    double? ValidationTop5Accuracy,
    double[]? ValidationPerClassAccuracy,
    long[][]? ConfusionMatrix,
    double LearningRate,
    double TrainSeconds,
    double ImagesPerSecond);

/// <summary>Sums over the batches of the current epoch so far (restored with a mid-epoch checkpoint).</summary>
public sealed record EpochProgress(double LossSum, long Correct, long Seen, int Batches, double Seconds)
{
    public static EpochProgress Empty { get; } = new(0, 0, 0, 0, 0);
}

/// <summary>
/// Everything besides tensors that a checkpoint needs to resume training exactly: the position (finished epochs,
/// optimizer steps, the loader's place and generators), the random generators of the model (the default
/// generator and each dropout layer's own), the current epoch's running sums, the history, the best result so
/// far and the settings that a resumed run must share.
/// </summary>
public sealed record TrainingState(
    int Epoch,
    long Step,
    DataLoaderState Loader,
    ulong[] DefaultGenerator,
    ulong[][] ModelGenerators,
    EpochProgress Running,
    EpochMetrics[] History,
    int BestEpoch,
    double BestScore,
    int EpochsWithoutImprovement,
    Dictionary<string, string> Settings);
