using System.Diagnostics;
using Fovea.Nn;
using Fovea.Optim;
using Fovea.Vision.Datasets;

namespace Fovea.Vision.Training;

/// <summary>
/// Trains a classifier with mean cross-entropy: epochs of optimizer steps over a <see cref="DataLoader"/>,
/// validation after each epoch, a learning-rate scheduler stepped per epoch, the best checkpoint kept, optional
/// early stopping, and checkpoints from which <see cref="Resume"/> continues bit for bit (same seed and thread count).
/// <para>Cancelling the token passed to <see cref="Fit"/> (e.g. from Ctrl+C) stops after the current step and
/// saves last.safetensors first.</para>
/// </summary>
public sealed class Trainer
{
    private readonly Module model;
    private readonly Optimizer optimizer;
    private readonly LRScheduler? scheduler;
    private readonly DataLoader train;
    private readonly DataLoader? validation;
    private readonly ModelDescription description;
    private readonly TrainerOptions options;
    private readonly ITrainingObserver observer;
    private readonly Generator[] modelGenerators;
    private TrainingState state;

    public Trainer(Module model, Optimizer optimizer, DataLoader train, ModelDescription description, TrainerOptions options,
        LRScheduler? scheduler = null, DataLoader? validation = null, ITrainingObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        description.Validate();
        if (train.BatchCount == 0)
            throw new ArgumentException($"The training loader yields no batch ({train.Dataset.Count} images, batch size {train.BatchSize}{(train.DropLast ? ", dropping the last incomplete batch" : "")}).", nameof(train));
        if (train.Dataset.ClassNames.Count != description.NumClasses)
            throw new ArgumentException($"The training data has {train.Dataset.ClassNames.Count} classes, the model description {description.NumClasses}.", nameof(description));
        if (scheduler is not null && !ReferenceEquals(scheduler.Optimizer, optimizer))
            throw new ArgumentException("The scheduler drives a different optimizer.", nameof(scheduler));
        (this.model, this.optimizer, this.scheduler, this.train, this.validation, this.description, this.options) =
            (model, optimizer, scheduler, train, validation, description, options);
        this.observer = observer ?? SilentObserver.Instance;
        // Dropout layers with their own generator; those without draw from Generator.Default, saved separately.
        modelGenerators = [.. model.NamedModules().Select(m => m.Module).OfType<Dropout>().Select(d => d.Generator).OfType<Generator>().Distinct()];
        state = new TrainingState(0, 0, train.GetState(), Generator.Default.GetState(), [.. modelGenerators.Select(g => g.GetState())],
            EpochProgress.Empty, [], 0, double.NegativeInfinity, 0, new Dictionary<string, string>(options.Settings));
    }

    /// <summary>The state as of the last finished step.</summary>
    public TrainingState State => state;

    /// <summary>
    /// Restores the model, optimizer, scheduler, loader position and every generator from a checkpoint written by
    /// this trainer's configuration. The settings recorded in it must equal <see cref="TrainerOptions.Settings"/>.
    /// </summary>
    /// <exception cref="Serialization.InvalidFileException">The file is not a training checkpoint, or does not fit this model, optimizer or data.</exception>
    public void Resume(string checkpointPath)
    {
        var contents = Checkpoint.Load(checkpointPath);
        var saved = contents.Training ?? throw new Serialization.InvalidFileException(checkpointPath, "holds weights only, no training state to resume from.");
        if (contents.Model.Name != description.Name || !contents.Model.ClassNames.SequenceEqual(description.ClassNames))
            throw new Serialization.InvalidFileException(checkpointPath, $"is a checkpoint of '{contents.Model.Name}' with {contents.Model.NumClasses} classes; this run trains '{description.Name}' with {description.NumClasses}.");
        var differences = options.Settings.Keys.Union(saved.Settings.Keys).Order(StringComparer.Ordinal)
            .Where(k => options.Settings.GetValueOrDefault(k) != saved.Settings.GetValueOrDefault(k))
            .Select(k => $"{k} {saved.Settings.GetValueOrDefault(k) ?? "(unset)"} there, {options.Settings.GetValueOrDefault(k) ?? "(unset)"} here").ToList();
        if (differences.Count > 0)
            throw new ArgumentException($"Cannot resume from {checkpointPath}: the settings differ ({string.Join("; ", differences)}).");
        if (saved.ModelGenerators.Length != modelGenerators.Length)
            throw new Serialization.InvalidFileException(checkpointPath, $"records {saved.ModelGenerators.Length} dropout generators; the model has {modelGenerators.Length}.");
        try
        {
            model.LoadStateDict(contents.ModelState);
            optimizer.LoadStateDict(contents.OptimizerState);
            if (scheduler is not null) scheduler.LoadStateDict(contents.SchedulerState);
            else if (contents.SchedulerState.Count > 0) throw new ArgumentException("the checkpoint has a scheduler state but this run has no scheduler.");
            train.SetState(saved.Loader);
            Generator.Default.SetState(saved.DefaultGenerator);
            for (int i = 0; i < modelGenerators.Length; i++) modelGenerators[i].SetState(saved.ModelGenerators[i]);
        }
        catch (ArgumentException e)
        {
            throw new Serialization.InvalidFileException(checkpointPath, $"does not fit this run: {e.Message}");
        }
        state = saved;
    }

    /// <summary>Trains until <see cref="TrainerOptions.Epochs"/> epochs are done, early stopping triggers, or <paramref name="cancel"/> is cancelled.</summary>
    public TrainingOutcome Fit(CancellationToken cancel = default)
    {
        var total = Stopwatch.StartNew();
        if (options.RunDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
            RunFolder.RemoveStaleTemporaries(directory);
        }
        bool stoppedEarly = false;
        while (state.Epoch < options.Epochs && !stoppedEarly)
        {
            if (!TrainEpoch(cancel)) return Outcome(interrupted: true, stoppedEarly: false, total);
            stoppedEarly = FinishEpoch();
            if (cancel.IsCancellationRequested && state.Epoch < options.Epochs && !stoppedEarly)
                return Outcome(interrupted: true, stoppedEarly: false, total);
        }
        return Outcome(interrupted: false, stoppedEarly, total);
    }

    /// <summary>The optimizer steps of one epoch (or of its rest, when resumed mid-epoch). False when cancelled mid-epoch (after saving).</summary>
    private bool TrainEpoch(CancellationToken cancel)
    {
        int epoch = state.Epoch + 1, batches = train.BatchCount, firstBatch = train.NextBatch + 1;
        observer.EpochStarted(epoch, options.Epochs, batches, firstBatch);
        model.Train();
        var clock = Stopwatch.StartNew();
        double previousSeconds = state.Running.Seconds;
        long seenThisSession = 0;
        foreach (var batch in train.NextEpoch())
        {
            float value;
            int correct;
            // The step's activations and gradients go back to the storage pool for the next step.
            using (TensorScope.Begin())
            {
                var logits = model.Forward(batch.Images);
                var loss = F.CrossEntropy(logits, batch.Targets);
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
                value = loss.Item();
                correct = Predictions.CountCorrect(logits, batch.Labels);
            }
            int batchNumber = state.Running.Batches + 1;
            if (!float.IsFinite(value))
                throw new InvalidOperationException($"the loss became {value} in epoch {epoch}, batch {batchNumber}; try a smaller learning rate.");
            int size = batch.Labels.Length;
            seenThisSession += size;
            double seconds = previousSeconds + clock.Elapsed.TotalSeconds;
            var running = new EpochProgress(state.Running.LossSum + (double)value * size, state.Running.Correct + correct,
                state.Running.Seen + size, batchNumber, seconds);
            state = state with { Step = state.Step + 1, Running = running, Loader = train.GetState() };
            double rate = seenThisSession / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            long remainingBatches = (long)(batches - batchNumber) + (long)(options.Epochs - epoch) * batches;
            var remaining = TimeSpan.FromSeconds(remainingBatches * train.BatchSize / Math.Max(rate, 1e-9));
            observer.BatchFinished(new BatchProgress(epoch, options.Epochs, batchNumber, batches, running.LossSum / running.Seen,
                (double)running.Correct / running.Seen, rate, remaining));

            bool midEpoch = train.NextBatch != 0;   // after the last batch the epoch-end checkpoint follows
            if (midEpoch && cancel.IsCancellationRequested)
            {
                SaveLast();
                return false;
            }
            if (midEpoch && options.CheckpointEvery > 0 && state.Step % options.CheckpointEvery == 0) SaveLast();
        }
        return true;
    }

    /// <summary>Validation, scheduler step, metrics, checkpoints and plots at the end of an epoch. True when early stopping triggers.</summary>
    private bool FinishEpoch()
    {
        var running = state.Running;
        int epoch = state.Epoch + 1;
        var result = validation is null ? null : Evaluation.Evaluate(model, validation);
        double learningRate = optimizer.LearningRate;
        scheduler?.Step();
        double trainAccuracy = (double)running.Correct / Math.Max(running.Seen, 1);
        var metrics = new EpochMetrics(epoch, state.Step, running.LossSum / Math.Max(running.Seen, 1), trainAccuracy,
            result?.Loss, result?.Accuracy, result?.Top5Accuracy, result?.PerClassAccuracy(), result?.Confusion.ToRows(),
            learningRate, running.Seconds, running.Seen / Math.Max(running.Seconds, 1e-9));
        double score = result?.Accuracy ?? trainAccuracy;
        bool improved = score > state.BestScore;
        state = state with
        {
            Epoch = epoch,
            Running = EpochProgress.Empty,
            Loader = train.GetState(),
            History = [.. state.History, metrics],
            BestEpoch = improved ? epoch : state.BestEpoch,
            BestScore = improved ? score : state.BestScore,
            EpochsWithoutImprovement = improved ? 0 : state.EpochsWithoutImprovement + 1,
        };
        SaveLast();
        if (options.RunDirectory is { } directory)
        {
            if (improved) SaveTo(Path.Combine(directory, RunFolder.BestCheckpoint));
            RunFolder.WriteMetrics(directory, state.History);
            RunFolder.WritePlots(directory, state.History, state.BestEpoch, description);
        }
        observer.EpochFinished(metrics, options.Epochs);
        return options.EarlyStoppingPatience is int patience && state.EpochsWithoutImprovement >= patience;
    }

    private void SaveLast()
    {
        if (options.RunDirectory is { } directory) SaveTo(Path.Combine(directory, RunFolder.LastCheckpoint));
    }

    /// <summary>Writes a checkpoint of the current state, with the generators as they are now.</summary>
    public void SaveTo(string path)
    {
        state = state with
        {
            DefaultGenerator = Generator.Default.GetState(),
            ModelGenerators = [.. modelGenerators.Select(g => g.GetState())],
        };
        Checkpoint.Save(path, model, description, optimizer, scheduler, state);
    }

    private TrainingOutcome Outcome(bool interrupted, bool stoppedEarly, Stopwatch total) =>
        new(state.History, interrupted, stoppedEarly, state.BestEpoch, state.BestScore, total.Elapsed);
}
