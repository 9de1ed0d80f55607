using Fovea.Serialization;

namespace Fovea.Nn;

/// <summary>Saving and loading a module's state dict as safetensors.</summary>
public static class ModuleFiles
{
    /// <summary>Writes the state dict atomically (PyTorch-compatible names).</summary>
    public static void Save(this Module module, string path) => Safetensors.Write(path, module.StateDict());

    /// <summary>Loads a safetensors state dict (e.g. one saved by PyTorch) into the module.</summary>
    public static StateDictLoadResult Load(this Module module, string path, bool strict = true) =>
        module.LoadStateDict(Safetensors.Read(path), strict);
}
