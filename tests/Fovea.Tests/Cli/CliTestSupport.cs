using Fovea.Cli.Demo;
using Fovea.Nn;
using Fovea.Tests.Support;
using Fovea.Vision.Datasets;
using Spectre.Console;

namespace Fovea.Tests.Cli;

internal static class CliTestSupport
{
    /// <summary>A non-interactive, colourless Spectre console writing into <paramref name="output"/> (like redirected output).</summary>
    public static IAnsiConsole Console(StringWriter output) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
    });

    public static string ShippedData => DataDirectory.Find(null, AppContext.BaseDirectory);

    /// <summary>A small class-balanced copy of the shipped subset in <paramref name="folder"/>.</summary>
    public static void WriteSmallSubset(TempDirectory folder, int trainPerClass, int testPerClass)
    {
        foreach (var (train, perClass) in new[] { (true, trainPerClass), (false, testPerClass) })
        {
            var (images, labels) = FashionMnist.FileNames(train);
            ClassBalancedSubset.Write(Path.Combine(ShippedData, images), Path.Combine(ShippedData, labels),
                folder.File(images), folder.File(labels), perClass, FashionMnist.ClassCount);
        }
    }

    /// <summary>The first <paramref name="count"/> images of the shipped split.</summary>
    public static LabeledImages Shipped(bool train, int count)
    {
        var all = FashionMnist.Load(ShippedData, train, FashionMnist.Normalization);
        var batch = all.Gather([.. Enumerable.Range(0, count)]);
        return new LabeledImages(batch.Images, batch.Labels, all.ClassCount);
    }
}

/// <summary>
/// A recipe that needs only what exists before the layers are merged: softmax regression (Flatten,
/// Linear), cross-entropy built from elementwise ops, and plain SGD (the momentum is ignored). It lets
/// the demo's loop, output and options be tested without Conv2d, F.CrossEntropy or Sgd.
/// </summary>
internal sealed class SoftmaxRegressionRecipe : IDemoRecipe
{
    public string Name => "softmax regression";

    public Sequential BuildModel() => new(new Flatten(), new Linear(28 * 28, 10));

    public TrainStep CreateTrainStep(Sequential model, float learningRate, float momentum) => batch =>
    {
        var logits = model.Forward(batch.Images);
        var loss = CrossEntropy(logits, batch.Labels);
        model.ZeroGrad();
        loss.Backward();
        foreach (var parameter in model.Parameters())
        {
            var weights = parameter.Span;
            var gradient = parameter.Grad!.ReadOnlySpan;
            for (int i = 0; i < weights.Length; i++) weights[i] -= learningRate * gradient[i];
        }
        return new StepResult(loss.Item(), logits);
    };

    /// <summary>Mean cross-entropy of logits (B, C): log-softmax from exp, a row sum as a product with ones, and log.</summary>
    public static Tensor CrossEntropy(Tensor logits, int[] labels)
    {
        int batch = logits.Shape[0], classes = logits.Shape[1];
        var rowMax = new float[batch];   // a constant shift per row, for stability; it does not change the loss
        for (int i = 0; i < batch; i++) rowMax[i] = logits.ReadOnlySpan.Slice(i * classes, classes).ToArray().Max();
        var shifted = logits - Tensor.FromArray(rowMax, batch, 1);
        var logSumExp = Tensor.MatMul2d(shifted.Exp(), Tensor.Ones(classes, 1)).Log();   // (B, 1)
        var oneHot = Tensor.Zeros(batch, classes);
        for (int i = 0; i < batch; i++) oneHot[i, labels[i]] = 1f;
        return -((shifted - logSumExp) * oneHot).Sum() / batch;
    }
}
