using System.Diagnostics;
using System.Globalization;
using Fovea.Nn;
using Fovea.Vision.Datasets;
using Spectre.Console;

namespace Fovea.Cli.Demo;

/// <summary>`fovea demo`: load Fashion-MNIST, print the model, train, report test accuracy.</summary>
internal static class DemoRunner
{
    /// <param name="searchFrom">Folders to search upwards from for the data when options.DataDirectory is null.</param>
    /// <returns>The epochs' results (the last holds the final test accuracy).</returns>
    public static IReadOnlyList<EpochResult> Run(DemoOptions options, IDemoRecipe recipe, IAnsiConsole console, params string[] searchFrom)
    {
        var clock = Stopwatch.StartNew();
        var directory = DataDirectory.Find(options.DataDirectory, searchFrom);
        var train = FashionMnist.Load(directory, train: true, FashionMnist.Normalization);
        var test = FashionMnist.Load(directory, train: false, FashionMnist.Normalization);
        console.Line(Invariant($"Fashion-MNIST from {directory}: {train.Count} training and {test.Count} test images of {train.Height}x{train.Width}, {train.ClassCount} classes"));

        Generator.ManualSeed(options.Seed);   // the model's initial weights come from the default generator
        var model = recipe.BuildModel();
        var input = new Shape(1, train.Channels, train.Height, train.Width);
        console.Write(ModelSummary.ToTable(ModelSummary.Describe(model, input), input, recipe.Name));
        var step = recipe.CreateTrainStep(model, options.LearningRate, options.Momentum);
        var shuffle = new Generator(options.Seed);
        console.Line(Invariant($"Training for {options.Epochs} epochs: batch size {options.BatchSize}, SGD lr {options.LearningRate} momentum {options.Momentum}, seed {options.Seed}"));

        IReadOnlyList<EpochResult> Train(ITrainingObserver observer) =>
            TrainingLoop.Run(model, step, train, test, options.Epochs, options.BatchSize, shuffle, observer);
        var results = IsInteractive(console)
            ? console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(context => Train(new ProgressBarObserver(context)))
            : Train(new PlainLinesObserver(console));

        if (options.SavePath is not null)
        {
            model.Save(options.SavePath);
            console.Line($"Saved the trained weights to {options.SavePath}");
        }
        var last = results[^1];
        console.Line(Invariant($"Done in {clock.Elapsed.TotalSeconds:F1} s. Final test accuracy: {100 * last.TestAccuracy:F2}% ({test.Count} images)."));
        return results;
    }

    /// <summary>A live progress bar only on a real terminal; plain lines when output is redirected.</summary>
    private static bool IsInteractive(IAnsiConsole console) =>
        console.Profile.Out.IsTerminal && console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
