using System.Globalization;
using Fovea.Nn;
using Fovea.Optim;
using Fovea.Vision.Datasets;
using Fovea.Vision.Models;
using Fovea.Vision.Training;
using Fovea.Vision.Transforms;
using Spectre.Console;

namespace Fovea.Cli.Training;

/// <summary>`fovea train`: data, model, optimizer and scheduler from the settings, then the <see cref="Trainer"/>.</summary>
internal static class TrainRunner
{
    public static TrainingOutcome Run(TrainSettings settings, IAnsiConsole console, CancellationToken cancel)
    {
        if (settings.Threads is int threads) CpuThreads.Count = threads;
        var entry = ModelZoo.Get(settings.Model);
        var runDirectory = Path.GetFullPath(settings.Out);
        var lastCheckpoint = Path.Combine(runDirectory, RunFolder.LastCheckpoint);
        if (settings.Resume && !File.Exists(lastCheckpoint))
            throw new CliException($"--resume: there is no checkpoint to resume from ({lastCheckpoint} does not exist).");
        if (!settings.Resume && File.Exists(lastCheckpoint))
            throw new CliException($"--out: {runDirectory} already holds a run ({RunFolder.LastCheckpoint}); pass --resume to continue it, or choose another folder.");

        // Everything that can fail on bad input happens before the run folder is touched.
        var setup = LoadData(settings, entry);
        Generator.ManualSeed(settings.Seed);   // the initial weights come from the default generator
        var model = ModelZoo.Create(entry.Name, setup.Description.NumClasses);
        CheckModelFits(model, setup.Description);
        var optimizer = CreateOptimizer(settings, model);
        var scheduler = CreateScheduler(settings, optimizer);
        var options = new TrainerOptions
        {
            Epochs = settings.Epochs,
            CheckpointEvery = settings.CheckpointEvery,
            EarlyStoppingPatience = settings.Patience,
            RunDirectory = runDirectory,
            Settings = settings.ForCheckpoint(CpuThreads.Count),
        };
        var trainLoader = new DataLoader(setup.Train, settings.BatchSize, shuffle: true, transform: setup.TrainTransform, seed: settings.Seed);
        var testLoader = new DataLoader(setup.Test, Math.Max(settings.BatchSize, 256), transform: setup.TestTransform);

        console.Line(Invariant($"{settings.Data.Kind} from {settings.Data.FullDirectory}: {setup.Train.Count} training and {setup.Test.Count} test images of {Shape(setup.Description)}, {setup.Description.NumClasses} classes"));
        console.Line(Invariant($"Model {entry.Name} ({entry.Description}): {model.ParameterCount():N0} parameters"));
        console.Line(Invariant($"Training for {settings.Epochs} epochs: batch size {settings.BatchSize}, {Describe(settings)}, seed {settings.Seed}, {CpuThreads.Count} thread{(CpuThreads.Count == 1 ? "" : "s")}; run folder {runDirectory}"));
        return TrainingProgress.Run(console, observer =>
        {
            var trainer = new Trainer(model, optimizer, trainLoader, setup.Description, options, scheduler, testLoader, observer);
            if (settings.Resume)
            {
                trainer.Resume(lastCheckpoint);
                var state = trainer.State;
                console.Line(Invariant($"Resuming from {lastCheckpoint}: {state.Epoch} epoch{(state.Epoch == 1 ? "" : "s")} done, step {state.Step}, next batch {state.Loader.NextBatch + 1} of epoch {state.Epoch + 1}"));
            }
            return trainer.Fit(cancel);
        });
    }

    internal sealed record DataSetup(IImageDataset Train, IImageDataset Test, ModelDescription Description, ITransform TrainTransform, ITransform TestTransform);

    /// <summary>The training and test data, their transforms and the description the checkpoints will carry.</summary>
    internal static DataSetup LoadData(TrainSettings settings, ModelZoo.Entry entry)
    {
        IImageDataset train = settings.Data.Load(train: true, entry.DefaultInput);
        if (settings.LimitTrain is int limitTrain) train = Subset.First(train, limitTrain);
        if (train.Count == 0) throw new CliException($"--data {settings.Data}: the training split holds no images.");
        IImageDataset test = settings.Data.Load(train: false, entry.DefaultInput, train.ClassNames);
        if (settings.LimitTest is int limitTest) test = Subset.First(test, limitTest);
        if (!test.ClassNames.SequenceEqual(train.ClassNames))
            throw new CliException($"--data {settings.Data}: the test split's classes differ from the training split's.");
        var sample = train.GetImage(0);
        var (mean, std) = settings.Data.Normalization(sample.Channels);
        var normalize = new Normalize(mean, std);
        var description = new ModelDescription(entry.Name, sample.Channels, sample.Height, sample.Width, mean, std, [.. train.ClassNames]);
        ITransform trainTransform = settings.Augment
            ? new Compose(new RandomCrop(sample.Height, sample.Width, padding: Math.Max(1, sample.Height / 8)), new RandomHorizontalFlip(), normalize)
            : normalize;
        return new DataSetup(train, test, description, trainTransform, normalize);
    }

    /// <summary>A dry run on one zero image, so that a model that does not take this data fails before any file is written.</summary>
    internal static void CheckModelFits(Module model, ModelDescription description)
    {
        model.Eval();
        try
        {
            using var noGrad = Autograd.NoGrad();
            var output = model.Forward(Tensor.Zeros(1, description.Channels, description.Height, description.Width));
            if (output.Rank != 2 || output.Shape[1] != description.NumClasses)
                throw new CliException($"--model {description.Name} gives outputs of shape {output.Shape} for one image of {Shape(description)}; (1, {description.NumClasses}) was expected.");
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--model {description.Name} does not take images of {Shape(description)}: {e.Message}");
        }
        finally
        {
            model.Train();
        }
    }

    private static Optimizer CreateOptimizer(TrainSettings s, Module model) => s.Optimizer switch
    {
        "sgd" => new Sgd(model.Parameters(), s.EffectiveLearningRate, s.Momentum, weightDecay: s.WeightDecay),
        "adam" => new Adam(model.Parameters(), s.EffectiveLearningRate, weightDecay: s.WeightDecay),
        _ => throw new CliException($"--optimizer must be sgd or adam, got '{s.Optimizer}'."),
    };

    private static LRScheduler? CreateScheduler(TrainSettings s, Optimizer optimizer) => s.Scheduler switch
    {
        "none" => null,
        "step" => new StepLR(optimizer, s.EffectiveStepSize, s.Gamma),
        "cosine" => new CosineAnnealingLR(optimizer, s.Epochs),
        _ => throw new CliException($"--scheduler must be none, step or cosine, got '{s.Scheduler}'."),
    };

    private static string Describe(TrainSettings s) =>
        (s.Optimizer == "sgd" ? Invariant($"SGD lr {s.EffectiveLearningRate} momentum {s.Momentum}") : Invariant($"Adam lr {s.EffectiveLearningRate}")) +
        (s.WeightDecay > 0 ? Invariant($" weight decay {s.WeightDecay}") : "") +
        s.Scheduler switch
        {
            "step" => Invariant($", StepLR every {s.EffectiveStepSize} epochs x{s.Gamma}"),
            "cosine" => Invariant($", cosine annealing over {s.Epochs} epochs"),
            _ => "",
        } +
        (s.Augment ? ", random crop + flip" : "");

    internal static string Shape(ModelDescription d) => $"{d.Channels}x{d.Height}x{d.Width}";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
