using System.Diagnostics;
using System.Globalization;
using Fovea.Cli.Training;
using Fovea.Nn;
using Fovea.Optim;
using Fovea.Vision.Datasets;
using Fovea.Vision.Models;
using Fovea.Vision.Training;
using Fovea.Vision.Transforms;
using Spectre.Console;

namespace Fovea.Cli.Demo;

/// <summary>`fovea demo`: load Fashion-MNIST, print LeNet-5's layers, train it with the <see cref="Trainer"/>, report test accuracy.</summary>
internal static class DemoRunner
{
    /// <param name="searchFrom">Folders to search upwards from for the data when options.DataDirectory is null.</param>
    /// <returns>The epochs' figures (the last holds the final test accuracy).</returns>
    public static IReadOnlyList<EpochMetrics> Run(DemoOptions options, IAnsiConsole console, params string[] searchFrom)
    {
        var clock = Stopwatch.StartNew();
        var directory = DataDirectory.Find(options.DataDirectory, searchFrom);
        var train = FashionMnist.Open(directory, train: true);
        var test = FashionMnist.Open(directory, train: false);
        console.Line(Invariant($"Fashion-MNIST from {directory}: {train.Count} training and {test.Count} test images of {train.Height}x{train.Width}, {train.ClassNames.Count} classes"));

        Generator.ManualSeed(options.Seed);   // the model's initial weights come from the default generator
        var model = LeNet.LeNet5(FashionMnist.ClassCount);
        var input = new Shape(1, train.Channels, train.Height, train.Width);
        console.WriteLine($"LeNet-5: {model.Summary(input)}");   // layers, output shapes, parameters (Module.Summary)
        var optimizer = new Sgd(model.Parameters(), options.LearningRate, options.Momentum);
        var normalization = FashionMnist.Normalization;
        var normalize = new Normalize([normalization.Mean], [normalization.Std]);
        var description = new ModelDescription("lenet5", train.Channels, train.Height, train.Width, [normalization.Mean], [normalization.Std], [.. train.ClassNames]);
        var trainLoader = new DataLoader(train, options.BatchSize, shuffle: true, transform: normalize, seed: options.Seed);
        var testLoader = new DataLoader(test, Math.Max(options.BatchSize, 256), transform: normalize);
        console.Line(Invariant($"Training for {options.Epochs} epochs: batch size {options.BatchSize}, SGD lr {options.LearningRate} momentum {options.Momentum}, seed {options.Seed}"));

        var outcome = TrainingProgress.Run(console, observer =>
            new Trainer(model, optimizer, trainLoader, description, new TrainerOptions { Epochs = options.Epochs }, validation: testLoader, observer: observer).Fit());

        if (options.SavePath is not null)
        {
            model.Save(options.SavePath);
            console.Line($"Saved the trained weights to {options.SavePath}");
        }
        var last = outcome.History[^1];
        console.Line(Invariant($"Done in {clock.Elapsed.TotalSeconds:F1} s. Final test accuracy: {100 * last.ValidationAccuracy:F2}% ({test.Count} images)."));
        return outcome.History;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
