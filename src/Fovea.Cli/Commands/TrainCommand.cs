using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Fovea.Cli.Training;
using Fovea.Vision.Training;
using Spectre.Console;

namespace Fovea.Cli.Commands;

/// <summary>`fovea train`: trains a model-zoo model on a dataset, with checkpoints, metrics and plots in a run folder.</summary>
internal static class TrainCommand
{
    /// <summary>Exit code of a run stopped by Ctrl+C or SIGTERM (after saving a checkpoint): 128 + SIGINT.</summary>
    public const int Interrupted = 130;

    public static Command Create(IAnsiConsole console)
    {
        var model = new Option<string>("--model") { Description = "Model zoo name (e.g. lenet5).", Required = true, HelpName = "NAME" };
        var data = new Option<string>("--data") { Description = $"The dataset: {DataSource.Syntax}.", Required = true, HelpName = "KIND:DIR" }
            .Check(DataSource.Problem);
        var output = new Option<string>("--out") { Description = "Run folder: checkpoints (last, best), metrics.jsonl, loss/accuracy curves, confusion matrix.", Required = true, HelpName = "DIR" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set.", DefaultValueFactory = _ => 10 }.AtLeastOne();
        var batch = new Option<int>("--batch") { Description = "Images per mini-batch.", DefaultValueFactory = _ => 64 }.AtLeastOne();
        var optimizer = new Option<string>("--optimizer") { Description = "sgd or adam.", DefaultValueFactory = _ => "sgd" }.OneOf("sgd", "adam");
        var lr = new Option<float?>("--lr") { Description = "Learning rate (default 0.02 for sgd, 0.001 for adam)." }
            .Check(v => v is null || (v > 0 && float.IsFinite(v.Value)) ? null : $"must be a finite number > 0, got {v}.");
        var momentum = new Option<float>("--momentum") { Description = "SGD momentum.", DefaultValueFactory = _ => 0.9f }
            .Check(v => v >= 0 && v < 1 ? null : $"must be in [0, 1), got {v}.");
        var weightDecay = new Option<float>("--weight-decay") { Description = "L2 weight decay.", DefaultValueFactory = _ => 0f }
            .Check(v => v >= 0 && float.IsFinite(v) ? null : $"must be a finite number >= 0, got {v}.");
        var scheduler = new Option<string>("--scheduler") { Description = "Learning-rate schedule per epoch: none, step (StepLR) or cosine (CosineAnnealingLR over the epochs).", DefaultValueFactory = _ => "none" }
            .OneOf("none", "step", "cosine");
        var stepSize = new Option<int?>("--step-size") { Description = "StepLR: epochs between decays (default: a third of the epochs)." }
            .Check(v => v is null or >= 1 ? null : $"must be >= 1, got {v}.");
        var gamma = new Option<float>("--gamma") { Description = "StepLR: decay factor.", DefaultValueFactory = _ => 0.1f }
            .Check(v => v > 0 && float.IsFinite(v) ? null : $"must be a finite number > 0, got {v}.");
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initial weights, the shuffling and the augmentation.", DefaultValueFactory = _ => 0 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Also save last.safetensors every N optimizer steps (0: at epoch ends only).", DefaultValueFactory = _ => 0, HelpName = "N" }
            .Check(v => v >= 0 ? null : $"must be >= 0, got {v}.");
        var limitTrain = new Option<int?>("--limit-train") { Description = "Train on the first N training images only.", HelpName = "N" }
            .Check(v => v is null or >= 1 ? null : $"must be >= 1, got {v}.");
        var limitTest = new Option<int?>("--limit-test") { Description = "Evaluate on the first N test images only.", HelpName = "N" }
            .Check(v => v is null or >= 1 ? null : $"must be >= 1, got {v}.");
        var patience = new Option<int?>("--patience") { Description = "Early stopping: stop after N epochs without a better test accuracy.", HelpName = "N" }
            .Check(v => v is null or >= 1 ? null : $"must be >= 1, got {v}.");
        var augment = new Option<bool>("--augment") { Description = "Random crop (padding 1/8 of the size) and horizontal flip of training images." };
        var threads = new Option<int?>("--threads") { Description = "Compute threads (default: one per core; FOVEA_NUM_THREADS).", HelpName = "N" }
            .Check(v => v is null or >= 1 ? null : $"must be >= 1, got {v}.");
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its last.safetensors, exactly where it stopped." };

        var command = new Command("train", "Train a model on a dataset; Ctrl+C stops after saving a checkpoint that --resume continues.")
        {
            model, data, output, epochs, batch, optimizer, lr, momentum, weightDecay, scheduler, stepSize, gamma, seed,
            checkpointEvery, limitTrain, limitTest, patience, augment, threads, resume,
        };
        command.SetAction(parse =>
        {
            var settings = new TrainSettings(parse.GetValue(model)!, DataSource.Parse(parse.GetValue(data)!), parse.GetValue(output)!,
                parse.GetValue(epochs), parse.GetValue(batch), parse.GetValue(optimizer)!, parse.GetValue(lr), parse.GetValue(momentum),
                parse.GetValue(weightDecay), parse.GetValue(scheduler)!, parse.GetValue(stepSize), parse.GetValue(gamma), parse.GetValue(seed),
                parse.GetValue(checkpointEvery), parse.GetValue(limitTrain), parse.GetValue(limitTest), parse.GetValue(patience),
                parse.GetValue(augment), parse.GetValue(threads), parse.GetValue(resume));
            return Run(settings, console);
        });
        return command;
    }

    private static int Run(TrainSettings settings, IAnsiConsole console)
    {
        using var stop = new CancellationTokenSource();
        void RequestStop()
        {
            if (stop.IsCancellationRequested) return;
            console.Line("Stopping: saving a checkpoint after the current step...");
            stop.Cancel();
        }
        ConsoleCancelEventHandler onCtrlC = (_, e) =>
        {
            if (stop.IsCancellationRequested) return;   // a second Ctrl+C ends the process at once
            e.Cancel = true;
            RequestStop();
        };
        Console.CancelKeyPress += onCtrlC;
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; RequestStop(); });
        try
        {
            var outcome = TrainRunner.Run(settings, console, stop.Token);
            Report(outcome, settings, console);
            return outcome.Interrupted ? Interrupted : 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
    }

    private static void Report(TrainingOutcome outcome, TrainSettings settings, IAnsiConsole console)
    {
        var folder = Path.GetFullPath(settings.Out);
        if (outcome.Interrupted)
        {
            console.Line($"Interrupted. Checkpoint saved to {Path.Combine(folder, RunFolder.LastCheckpoint)}; continue with the same command and --resume.");
            return;
        }
        if (outcome.StoppedEarly) console.Line(Invariant($"Early stopping: no better test accuracy for {settings.Patience} epochs."));
        if (outcome.History.Count > 0 && outcome.History[outcome.BestEpoch - 1] is { ValidationAccuracy: double best } bestEpoch)
            console.Line(Invariant($"Best test accuracy {100 * best:F2}% (top-5 {100 * bestEpoch.ValidationTop5Accuracy:F2}%) at epoch {outcome.BestEpoch}; final {100 * outcome.History[^1].ValidationAccuracy:F2}%."));
        console.Line(Invariant($"Done in {outcome.Elapsed.TotalSeconds:F1} s. Run folder {folder}: {string.Join(", ", RunFolder.FileNames.Where(f => File.Exists(Path.Combine(folder, f))))}"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
