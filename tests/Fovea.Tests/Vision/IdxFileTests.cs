using System.Buffers.Binary;
using System.IO.Compression;
using Fovea.Serialization;
using Fovea.Tests.Support;
using Fovea.Vision.Datasets;

namespace Fovea.Tests.Vision;

public sealed class IdxFileTests
{
    /// <summary>Big-endian magic, big-endian dimensions, then <paramref name="data"/> (raw IDX bytes).</summary>
    internal static byte[] IdxBytes(uint magic, uint[] dimensions, byte[] data)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, magic);
        for (int i = 0; i < dimensions.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        data.CopyTo(bytes, 4 + 4 * dimensions.Length);
        return bytes;
    }

    internal static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal)) gzip.Write(content);
        return buffer.ToArray();
    }

    private static byte[] Pixels(int count) => Enumerable.Range(0, count).Select(i => (byte)(i * 7)).ToArray();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RoundTripOfImagesAndLabels(bool gzip)
    {
        using var folder = new TempDirectory();
        var images = new IdxArray([3, 4, 5], Pixels(60));
        var labels = new IdxArray([3], [2, 0, 9]);
        IdxFile.Write(folder.File("images"), images, gzip);
        IdxFile.Write(folder.File("labels"), labels, gzip);

        var readImages = IdxFile.Read(folder.File("images"), expectedRank: 3);
        var readLabels = IdxFile.Read(folder.File("labels"), expectedRank: 1);

        Assert.Equal([3, 4, 5], readImages.Dimensions);
        Assert.Equal(images.Data, readImages.Data);
        Assert.Equal(20, readImages.ItemSize);
        Assert.Equal(labels.Data, readLabels.Data);
        var bytes = File.ReadAllBytes(folder.File("labels"));
        Assert.Equal(gzip, bytes[0] == 0x1F && bytes[1] == 0x8B);
        Assert.Equal(["images", "labels"], folder.Files());
    }

    [Fact]
    public void WritesTheStandardMagicNumbers()
    {
        using var folder = new TempDirectory();
        IdxFile.Write(folder.File("i"), new IdxArray([1, 2, 2], [1, 2, 3, 4]), gzip: false);
        IdxFile.Write(folder.File("l"), new IdxArray([1], [7]), gzip: false);
        Assert.Equal(IdxBytes(0x00000803, [1, 2, 2], [1, 2, 3, 4]), File.ReadAllBytes(folder.File("i")));
        Assert.Equal(IdxBytes(0x00000801, [1], [7]), File.ReadAllBytes(folder.File("l")));
        Assert.Equal(0x0803, IdxFile.MagicFor(3));
    }

    [Fact]
    public void ArrayRejectsDataThatDoesNotFillItsDimensions()
    {
        Assert.Throws<ArgumentException>(() => new IdxArray([2, 3], new byte[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdxArray([-1, 3], new byte[3]));
        Assert.Throws<ArgumentException>(() => new IdxArray([], []));
    }

    public static TheoryData<string, byte[], int, string> CorruptFiles() => new()
    {
        // case, file content, expected rank, fragment of the message
        { "empty", [], 1, "too short for an IDX header: 0 bytes" },
        { "three bytes", [0, 0, 8], 1, "too short" },
        { "wrong magic", IdxBytes(0x12340803, [1], [0]), 1, "not an IDX file: magic number 0x12340803, expected 0x00000801" },
        { "float elements", IdxBytes(0x00000D01, [1], [0, 0, 0, 0]), 1, "element type 0x0D" },
        { "labels read as images", IdxBytes(0x00000801, [3], [1, 2, 3]), 3, "declares 1 dimensions, expected 3 (magic 0x00000803)" },
        { "images read as labels", IdxBytes(0x00000803, [1, 1, 1], [5]), 1, "declares 3 dimensions, expected 1" },
        { "truncated header", IdxBytes(0x00000803, [10], []), 3, "truncated header" },
        { "truncated data", IdxBytes(0x00000803, [10, 28, 28], new byte[100]), 3, "truncated: the header declares (10, 28, 28) = 7840 bytes of data, the file holds 100" },
        { "extra bytes", IdxBytes(0x00000801, [2], [1, 2, 3]), 1, "1 unexpected bytes follow the data" },
        { "huge claim", IdxBytes(0x00000803, [1_000_000, 28, 28], new byte[16]), 3, "truncated" },
        { "more than an array holds", IdxBytes(0x00000803, [0x7FFFFFFF, 28, 28], []), 3, "more bytes than one array can hold" },
        { "dimension beyond int", IdxBytes(0x00000801, [0xFFFFFFFF], []), 1, "dimension 0 is 4294967295" },
        { "gzip of a wrong magic", Gzip(IdxBytes(0x00000901, [1], [0])), 1, "element type 0x09" },
        { "gzip claiming more than deflate can hold", Gzip(IdxBytes(0x00000803, [1_000_000, 28, 28], [])), 3, "gzip file can hold" },
        { "gzip with the data missing", Gzip(IdxBytes(0x00000803, [10, 28, 28], [])), 3, "the decompressed file holds 0" },
        { "gzip with extra bytes", Gzip(IdxBytes(0x00000801, [2], [1, 2, 3])), 1, "more bytes follow the data" },
        { "gzip with a short header", Gzip([0, 0, 8]), 1, "3 bytes after decompression" },
        { "corrupt deflate data", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], 1, "corrupt gzip data" },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void CorruptFileIsRejectedNamingFileAndProblem(string @case, byte[] content, int rank, string fragment)
    {
        using var folder = new TempDirectory();
        var path = folder.File(@case.Replace(' ', '-') + ".idx");
        File.WriteAllBytes(path, content);
        var error = FileAssert.Rejects(path, fragment, () => IdxFile.Read(path, rank));
        Assert.Equal(path, error.FilePath);
    }

    [Fact]
    public void CutGzipFileIsRejected()
    {
        using var folder = new TempDirectory();
        var path = folder.File("cut.gz");
        var whole = Gzip(IdxBytes(0x00000803, [50, 28, 28], Pixels(50 * 28 * 28)));
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
        var error = Assert.Throws<InvalidFileException>(() => IdxFile.Read(path, 3));
        Assert.StartsWith(path + ": ", error.Message);
        Assert.True(error.Problem.Contains("truncated", StringComparison.Ordinal) || error.Problem.Contains("corrupt gzip", StringComparison.Ordinal), error.Message);
    }

    [Fact]
    public void MissingFileThrowsFileNotFound()
    {
        using var folder = new TempDirectory();
        var error = Assert.Throws<FileNotFoundException>(() => IdxFile.Read(folder.File("absent.gz"), 1));
        Assert.Contains("absent.gz", error.Message);
    }

    [Fact]
    public void ExpectedRankOutOfRangeIsAnArgumentError()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IdxFile.Read("whatever", 0));
    }
}
