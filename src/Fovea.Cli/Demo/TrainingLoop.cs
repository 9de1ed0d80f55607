using System.Diagnostics;
using Fovea.Nn;
using Fovea.Vision.Datasets;

namespace Fovea.Cli.Demo;

/// <summary>What one optimisation step reports: the batch's mean loss and the logits (B, classes) it computed.</summary>
internal readonly record struct StepResult(float Loss, Tensor Logits);

/// <summary>One optimisation step on one mini-batch: forward, loss, backward, parameter update.</summary>
internal delegate StepResult TrainStep(MiniBatch batch);

/// <summary>Running figures of the current epoch after a batch.</summary>
internal readonly record struct BatchProgress(int Epoch, int Epochs, int Batch, int Batches, float MeanLoss, float Accuracy, double ImagesPerSecond);

/// <summary>The figures of a finished epoch. Accuracies are fractions in [0, 1].</summary>
internal sealed record EpochResult(int Epoch, int Epochs, float TrainLoss, float TrainAccuracy, float TestAccuracy, double TrainSeconds, double ImagesPerSecond);

/// <summary>Receives progress from <see cref="TrainingLoop"/> (a progress bar, or plain lines).</summary>
internal interface ITrainingObserver
{
    void EpochStarted(int epoch, int epochs, int batches);
    void BatchFinished(BatchProgress progress);
    void EpochFinished(EpochResult result);
}

/// <summary>
/// The demo's training loop: per epoch, shuffled mini-batches through <see cref="TrainStep"/> in
/// training mode, then test accuracy in eval mode. Small on purpose; a general Trainer replaces it later.
/// </summary>
internal static class TrainingLoop
{
    public static IReadOnlyList<EpochResult> Run(Module model, TrainStep step, LabeledImages train, LabeledImages test,
        int epochs, int batchSize, Generator shuffle, ITrainingObserver observer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var results = new List<EpochResult>();
        int batches = train.BatchCount(batchSize);
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            observer.EpochStarted(epoch, epochs, batches);
            model.Train();
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            int seen = 0, correct = 0, batch = 0;
            foreach (var miniBatch in train.Batches(batchSize, shuffle))
            {
                var result = step(miniBatch);
                if (!float.IsFinite(result.Loss))
                    throw new InvalidOperationException($"the loss became {result.Loss} in epoch {epoch}, batch {batch + 1}; try a smaller --lr.");
                int size = miniBatch.Labels.Length;
                lossSum += (double)result.Loss * size;
                correct += Accuracy.CountCorrect(result.Logits, miniBatch.Labels);
                seen += size;
                batch++;
                observer.BatchFinished(new BatchProgress(epoch, epochs, batch, batches, (float)(lossSum / seen), (float)correct / seen,
                    seen / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
            }
            double seconds = clock.Elapsed.TotalSeconds;
            float testAccuracy = Accuracy.Evaluate(model, test, Math.Max(batchSize, 256));
            var summary = new EpochResult(epoch, epochs, (float)(lossSum / seen), (float)correct / seen, testAccuracy, seconds, seen / Math.Max(seconds, 1e-9));
            results.Add(summary);
            observer.EpochFinished(summary);
        }
        return results;
    }
}
