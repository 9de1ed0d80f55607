using Fovea.Nn;
using Fovea.Serialization;
using Fovea.Tests.Support;

namespace Fovea.Tests.Serialization;

public sealed class AtomicFileTests
{
    private sealed class WriterFailed() : Exception("the writer failed half-way");

    private static void WriteHalfThenThrow(Stream stream)
    {
        stream.Write(new byte[100_000]);
        stream.Flush();
        throw new WriterFailed();
    }

    [Fact]
    public void SuccessLeavesOnlyTheTarget()
    {
        using var folder = new TempDirectory();
        var path = folder.File("out.bin");
        AtomicFile.Write(path, stream => stream.Write([1, 2, 3]));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["out.bin"], folder.Files());
    }

    [Fact]
    public void SuccessReplacesAnExistingFile()
    {
        using var folder = new TempDirectory();
        var path = folder.File("out.bin");
        File.WriteAllBytes(path, new byte[5000]);
        AtomicFile.Write(path, stream => stream.Write([9]));
        Assert.Equal([9], File.ReadAllBytes(path));
        Assert.Equal(["out.bin"], folder.Files());
    }

    [Fact]
    public void FailureMidWayLeavesNoFileAndNoTemporary()
    {
        using var folder = new TempDirectory();
        var path = folder.File("out.bin");
        Assert.Throws<WriterFailed>(() => AtomicFile.Write(path, WriteHalfThenThrow));
        Assert.Empty(folder.Files());
    }

    [Fact]
    public void FailureMidWayKeepsTheOldContent()
    {
        using var folder = new TempDirectory();
        var path = folder.File("model.safetensors");
        var model = new Linear(3, 2, generator: new Generator(1));
        model.Save(path);
        var before = File.ReadAllBytes(path);

        Assert.Throws<WriterFailed>(() => AtomicFile.Write(path, WriteHalfThenThrow));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], folder.Files());
    }

    [Fact]
    public void FailingTensorSourceLeavesTheOldCheckpointIntact()
    {
        using var folder = new TempDirectory();
        var path = folder.File("state.safetensors");
        Safetensors.Write(path, [new("a", Tensor.Ones(4))]);
        var before = File.ReadAllBytes(path);

        static IEnumerable<KeyValuePair<string, Tensor>> Broken()
        {
            yield return new("a", Tensor.Zeros(4));
            throw new WriterFailed();
        }
        Assert.Throws<WriterFailed>(() => Safetensors.Write(path, Broken()));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["state.safetensors"], folder.Files());
    }

    [Fact]
    public void CreatesMissingFolders()
    {
        using var folder = new TempDirectory();
        var path = Path.Combine(folder.Path, "a", "b", "x.npy");
        Npy.Write(path, Tensor.Ones(2));
        Assert.Equal([Path.Combine("a", "b", "x.npy")], folder.Files());
    }

    [Fact]
    public void TargetThatIsAFolderFailsWithoutLeavingATemporary()
    {
        using var folder = new TempDirectory();
        Directory.CreateDirectory(folder.File("taken"));
        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(folder.File("taken"), stream => stream.Write([1])));
        Assert.Empty(folder.Files());
        Assert.True(Directory.Exists(folder.File("taken")));
    }

    [Fact]
    public void EmptyPathIsRejected()
    {
        Assert.ThrowsAny<ArgumentException>(() => AtomicFile.Write("", _ => { }));
    }
}
