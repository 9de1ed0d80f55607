namespace Fovea.Vision.Training;

/// <summary>
/// What a checkpoint records about its model so that evaluation and prediction need no other input: the model
/// zoo name, the number of classes and their names, the input shape (C, H, W) and the per-channel
/// normalisation applied to inputs in [0, 1].
/// </summary>
public sealed record ModelDescription(string Name, int Channels, int Height, int Width, float[] Mean, float[] Std, string[] ClassNames)
{
    public int NumClasses => ClassNames.Length;

    /// <summary>Throws unless every field is usable.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("The model name is empty.");
        if (Channels <= 0 || Height <= 0 || Width <= 0) throw new ArgumentException($"The input shape ({Channels}, {Height}, {Width}) must be positive.");
        if (ClassNames is null || ClassNames.Length == 0) throw new ArgumentException("A model needs at least one class name.");
        if (Mean is null || Std is null || Mean.Length == 0 || Mean.Length != Std.Length || (Mean.Length != 1 && Mean.Length != Channels))
            throw new ArgumentException($"Normalisation needs 1 or {Channels} means and as many stds, got {Mean?.Length} and {Std?.Length}.");
        if (Std.Any(s => !(s > 0) || !float.IsFinite(s)) || Mean.Any(m => !float.IsFinite(m)))
            throw new ArgumentException("Normalisation means must be finite and stds finite and > 0.");
    }
}
