using System.Globalization;

namespace Fovea.Cli.Training;

/// <summary>The settings of one `fovea train` run.</summary>
internal sealed record TrainSettings(
    string Model,
    DataSource Data,
    string Out,
    int Epochs = 10,
    int BatchSize = 64,
    string Optimizer = "sgd",
    float? LearningRate = null,
    float Momentum = 0.9f,
    float WeightDecay = 0f,
    string Scheduler = "none",
    int? StepSize = null,
    float Gamma = 0.1f,
    ulong Seed = 0,
    int CheckpointEvery = 0,
    int? LimitTrain = null,
    int? LimitTest = null,
    int? Patience = null,
    bool Augment = false,
    int? Threads = null,
    bool Resume = false)
{
    /// <summary>The learning rate: as given, else 0.02 for SGD and 0.001 for Adam.</summary>
    public float EffectiveLearningRate => LearningRate ?? (Optimizer == "adam" ? 1e-3f : 0.02f);

    /// <summary>StepLR's period: as given, else a third of the epochs.</summary>
    public int EffectiveStepSize => StepSize ?? Math.Max(1, Epochs / 3);

    /// <summary>What a resumed run must share with the checkpoint it continues (compared as text).</summary>
    public Dictionary<string, string> ForCheckpoint(int threads)
    {
        static string Text(IFormattable? value) => value?.ToString(null, CultureInfo.InvariantCulture) ?? "none";
        var settings = new Dictionary<string, string>
        {
            ["model"] = Model,
            ["data"] = $"{Data.Kind}:{Data.FullDirectory}",
            ["batch"] = Text(BatchSize),
            ["optimizer"] = Optimizer,
            ["lr"] = Text(EffectiveLearningRate),
            ["weight_decay"] = Text(WeightDecay),
            ["scheduler"] = Scheduler,
            ["seed"] = Text(Seed),
            ["limit_train"] = Text(LimitTrain),
            ["limit_test"] = Text(LimitTest),
            ["augment"] = Augment ? "yes" : "no",
            ["threads"] = Text(threads),
        };
        if (Optimizer == "sgd") settings["momentum"] = Text(Momentum);
        if (Scheduler == "step") (settings["step_size"], settings["gamma"]) = (Text(EffectiveStepSize), Text(Gamma));
        if (Scheduler == "cosine") settings["t_max"] = Text(Epochs);
        return settings;
    }
}
