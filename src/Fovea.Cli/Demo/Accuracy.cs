using Fovea.Nn;
using Fovea.Vision.Datasets;

namespace Fovea.Cli.Demo;

/// <summary>Classification accuracy from logits, with the arg-max computed on the raw values.</summary>
internal static class Accuracy
{
    /// <summary>How many rows of <paramref name="logits"/> (B, classes) have their largest value at the label's index
    /// (the first one on ties, like torch.argmax).</summary>
    public static int CountCorrect(Tensor logits, ReadOnlySpan<int> labels)
    {
        if (logits.Rank != 2 || logits.Shape[0] != labels.Length)
            throw new ArgumentException($"logits must be (B, classes) with B = {labels.Length} labels, got shape {logits.Shape}.", nameof(logits));
        int classes = logits.Shape[1];
        var values = logits.ReadOnlySpan;
        int correct = 0;
        for (int row = 0; row < labels.Length; row++)
        {
            var scores = values.Slice(row * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++)
                if (scores[c] > scores[best]) best = c;
            if (best == labels[row]) correct++;
        }
        return correct;
    }

    /// <summary>Fraction of <paramref name="data"/> classified correctly, in eval mode without recording gradients
    /// (the model's training mode is restored afterwards).</summary>
    public static float Evaluate(Module model, LabeledImages data, int batchSize)
    {
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using var noGrad = Autograd.NoGrad();
            int correct = 0;
            foreach (var batch in data.Batches(batchSize))
                correct += CountCorrect(model.Forward(batch.Images), batch.Labels);
            return data.Count == 0 ? 0f : (float)correct / data.Count;
        }
        finally
        {
            model.Train(wasTraining);
        }
    }
}
