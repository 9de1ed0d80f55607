using System.Text.Json;
using System.Text.Json.Serialization;
using Fovea.Nn;
using Fovea.Optim;
using Fovea.Serialization;

namespace Fovea.Vision.Training;

/// <summary>A checkpoint file read back: the tensors by section and the descriptions from its metadata.</summary>
public sealed record CheckpointContents(
    string Path,
    ModelDescription Model,
    TrainingState? Training,
    Dictionary<string, Tensor> ModelState,
    Dictionary<string, Tensor> OptimizerState,
    Dictionary<string, Tensor> SchedulerState);

/// <summary>
/// Training checkpoints as ONE safetensors file, written atomically (a temporary file renamed into place, so a
/// crash leaves the previous checkpoint intact). Tensors: <c>model.*</c> (the state dict, PyTorch names),
/// <c>optimizer.*</c> (Optimizer.StateDict) and <c>scheduler.*</c>. Metadata: <c>fovea.format</c>,
/// <c>fovea.model</c> (JSON <see cref="ModelDescription"/>) and <c>fovea.training</c> (JSON <see cref="TrainingState"/>).
/// </summary>
public static class Checkpoint
{
    public const string Format = "fovea-checkpoint/1";
    private const string FormatKey = "fovea.format", ModelKey = "fovea.model", TrainingKey = "fovea.training";
    private const string ModelPrefix = "model.", OptimizerPrefix = "optimizer.", SchedulerPrefix = "scheduler.";

    internal static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        RespectNullableAnnotations = true,
    };

    public static void Save(string path, Module model, ModelDescription description, Optimizer? optimizer = null,
        LRScheduler? scheduler = null, TrainingState? training = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(description);
        description.Validate();
        var tensors = new List<KeyValuePair<string, Tensor>>();
        tensors.AddRange(model.StateDict().Select(kv => KeyValuePair.Create(ModelPrefix + kv.Key, kv.Value)));
        if (optimizer is not null) tensors.AddRange(optimizer.StateDict().Select(kv => KeyValuePair.Create(OptimizerPrefix + kv.Key, kv.Value)));
        if (scheduler is not null) tensors.AddRange(scheduler.StateDict().Select(kv => KeyValuePair.Create(SchedulerPrefix + kv.Key, kv.Value)));
        var metadata = new Dictionary<string, string>
        {
            [FormatKey] = Format,
            [ModelKey] = JsonSerializer.Serialize(description, Json),
        };
        if (training is not null) metadata[TrainingKey] = JsonSerializer.Serialize(training, Json);
        Safetensors.Write(path, tensors, metadata);
    }

    /// <exception cref="InvalidFileException">The file is not a safetensors file or not a Fovea checkpoint, or its metadata is malformed.</exception>
    public static CheckpointContents Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint not found: {path}.", path);
        var tensors = Safetensors.Read(path, out var metadata);
        if (!metadata.TryGetValue(FormatKey, out var format) || !metadata.TryGetValue(ModelKey, out var modelJson))
            throw new InvalidFileException(path, $"is a safetensors file but not a Fovea checkpoint: its metadata has no '{FormatKey}' and '{ModelKey}'.");
        if (format != Format) throw new InvalidFileException(path, $"has checkpoint format '{format}'; this version reads '{Format}'.");
        var description = Parse<ModelDescription>(path, ModelKey, modelJson);
        try { description.Validate(); }
        catch (ArgumentException e) { throw new InvalidFileException(path, $"'{ModelKey}' is invalid: {e.Message}"); }
        var training = metadata.TryGetValue(TrainingKey, out var trainingJson) ? Parse<TrainingState>(path, TrainingKey, trainingJson) : null;
        return new CheckpointContents(path, description, training, Section(tensors, ModelPrefix), Section(tensors, OptimizerPrefix), Section(tensors, SchedulerPrefix));
    }

    /// <summary>Builds the model a checkpoint describes (through the model zoo) and loads its weights, in eval mode.</summary>
    public static (Module Model, ModelDescription Description) LoadModel(string path)
    {
        var contents = Load(path);
        var model = Models.ModelZoo.Create(contents.Model.Name, contents.Model.NumClasses);
        try { model.LoadStateDict(contents.ModelState); }
        catch (ArgumentException e) { throw new InvalidFileException(path, $"its weights do not fit model '{contents.Model.Name}': {e.Message}"); }
        model.Eval();
        return (model, contents.Model);
    }

    private static Dictionary<string, Tensor> Section(Dictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    private static T Parse<T>(string path, string key, string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Json) ?? throw new InvalidFileException(path, $"metadata '{key}' is null.");
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(path, $"metadata '{key}' is malformed: {e.Message}");
        }
    }
}
