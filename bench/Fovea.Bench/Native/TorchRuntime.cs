using System.Runtime.CompilerServices;
using TorchSharp;

namespace Fovea.Bench.Native;

/// <summary>
/// Prepares LibTorch in a worker process: first makes libLibTorchSharp.so loadable on this system (see
/// <see cref="ElfVersionPatcher"/>), then sets its thread count and seed. Must run before any other
/// TorchSharp call, because TorchSharp loads the native library on first use.
/// </summary>
public static class TorchRuntime
{
    public const string NativeLibraryName = "libLibTorchSharp.so";
    public const string RequiredLibrary = "libstdc++.so.6";
    public const string MissingVersion = "GLIBCXX_3.4.32";

    /// <summary>Patches every copy of the native library in the output folder; returns a line per copy for the log.</summary>
    public static IReadOnlyList<string> PatchNativeLibrary()
    {
        var lines = new List<string>();
        if (!OperatingSystem.IsLinux()) return lines;
        var copies = Directory.GetFiles(AppContext.BaseDirectory, NativeLibraryName, SearchOption.AllDirectories);
        if (copies.Length == 0)
            throw new FileNotFoundException($"{NativeLibraryName} not found under {AppContext.BaseDirectory}: was TorchSharp-cpu restored?");
        foreach (var path in copies)
        {
            var outcome = ElfVersionPatcher.MakeWeak(path, RequiredLibrary, MissingVersion);
            lines.Add($"{Path.GetRelativePath(AppContext.BaseDirectory, path)}: {MissingVersion} requirement {outcome switch
            {
                ElfVersionPatcher.Outcome.Patched => "made weak",
                ElfVersionPatcher.Outcome.AlreadyWeak => "already weak",
                _ => "not present",
            }}");
        }
        return lines;
    }

    /// <summary>Patches, then loads LibTorch with <paramref name="threads"/> intra-op threads and a fixed seed; returns its version.</summary>
    public static string Initialize(int threads)
    {
        PatchNativeLibrary();
        return Configure(threads);
    }

    // A separate method so that the JIT touches no TorchSharp type before the patch is done.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string Configure(int threads)
    {
        torch.set_num_threads(threads);
        torch.manual_seed(1234);
        using (var probe = torch.ones(4)) probe.sum().Dispose();   // loads and initialises the native side
        return torch.__version__;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Threads() => torch.get_num_threads();
}
