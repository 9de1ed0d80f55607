namespace Fovea.Vision.Training;

/// <summary>How a <see cref="Trainer"/> runs.</summary>
public sealed record TrainerOptions
{
    /// <summary>Total epochs (a resumed run counts the epochs it already did).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Write last.safetensors every this many optimizer steps as well as after every epoch; 0 for epoch ends only.</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Stop when the validation accuracy (without validation data: the training loss) has not improved for
    /// this many epochs; null trains every epoch.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>The run folder (checkpoints, metrics.jsonl, PNG curves); null writes nothing.</summary>
    public string? RunDirectory { get; init; }

    /// <summary>Settings a resumed run must share with the checkpoint (model, optimizer, batch size, seed, ...): compared on resume.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    internal void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), $"Epochs must be >= 1, got {Epochs}.");
        if (CheckpointEvery < 0) throw new ArgumentOutOfRangeException(nameof(CheckpointEvery), $"CheckpointEvery must be >= 0, got {CheckpointEvery}.");
        if (EarlyStoppingPatience is < 1) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), $"EarlyStoppingPatience must be >= 1, got {EarlyStoppingPatience}.");
    }
}

/// <summary>How a <see cref="Trainer.Fit"/> ended.</summary>
public sealed record TrainingOutcome(IReadOnlyList<EpochMetrics> History, bool Interrupted, bool StoppedEarly, int BestEpoch, double BestScore, TimeSpan Elapsed);
