using Fovea.Nn;
using Fovea.Vision.Datasets;

namespace Fovea.Vision.Training;

/// <summary>A classifier's figures on a dataset: mean cross-entropy, top-1 and top-5 accuracy, and the confusion matrix.</summary>
public sealed record EvaluationResult(double Loss, double Accuracy, double Top5Accuracy, ConfusionMatrix Confusion, int Count)
{
    public double[] PerClassAccuracy() => Confusion.PerClassAccuracy();
}

public static class Evaluation
{
    /// <summary>
    /// Runs every batch of <paramref name="loader"/> through <paramref name="model"/> in eval mode without recording
    /// gradients (its training mode is restored afterwards) and measures it. Uses one whole epoch of the loader.
    /// </summary>
    public static EvaluationResult Evaluate(Module model, DataLoader loader, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loader);
        int classes = loader.Dataset.ClassNames.Count;
        var confusion = new ConfusionMatrix(classes);
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using var noGrad = Autograd.NoGrad();
            double lossSum = 0;
            long top5 = 0;
            int seen = 0;
            foreach (var batch in loader.NextEpoch())
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = TensorScope.Begin();
                var logits = model.Forward(batch.Images);
                if (logits.Rank != 2 || logits.Shape[1] != classes)
                    throw new InvalidOperationException($"The model gives outputs of shape {logits.Shape}; the data has {classes} classes, so (B, {classes}) was expected.");
                lossSum += (double)F.CrossEntropy(logits, batch.Targets, Reduction.Sum).Item();
                top5 += Predictions.CountInTopK(logits, batch.Labels, 5);
                var predicted = Predictions.ArgMax(logits);
                for (int i = 0; i < predicted.Length; i++) confusion.Add(batch.Labels[i], predicted[i]);
                seen += predicted.Length;
            }
            return seen == 0
                ? new EvaluationResult(0, 0, 0, confusion, 0)
                : new EvaluationResult(lossSum / seen, confusion.Accuracy, (double)top5 / seen, confusion, seen);
        }
        finally
        {
            model.Train(wasTraining);
        }
    }
}
