using System.Buffers.Binary;
using System.IO.Compression;
using Fovea.Serialization;

namespace Fovea.Vision.Datasets;

/// <summary>
/// An n-dimensional array of unsigned bytes as an IDX file stores it (the MNIST family's format):
/// dimensions outermost first, data row-major. Images are (N, rows, columns), labels (N).
/// </summary>
public sealed class IdxArray
{
    private readonly int[] dimensions;

    public IdxArray(int[] dimensions, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(data);
        if (dimensions.Length is 0 or > byte.MaxValue)
            throw new ArgumentException($"An IDX array needs 1 to 255 dimensions, got {dimensions.Length}.", nameof(dimensions));
        foreach (int dimension in dimensions)
            if (dimension < 0)
                throw new ArgumentOutOfRangeException(nameof(dimensions), $"Dimensions ({string.Join(", ", dimensions)}) contain a negative size.");
        if (ElementCount(dimensions) != data.Length)
            throw new ArgumentException($"{data.Length} bytes do not fill dimensions ({string.Join(", ", dimensions)}).", nameof(data));
        this.dimensions = (int[])dimensions.Clone();
        Data = data;
    }

    /// <summary>Sizes, outermost first: (N, rows, columns) for images, (N) for labels.</summary>
    public IReadOnlyList<int> Dimensions => dimensions;

    /// <summary>The elements, row-major.</summary>
    public byte[] Data { get; }

    /// <summary>Number of items (the first dimension).</summary>
    public int Count => dimensions[0];

    /// <summary>Bytes per item: the product of every dimension after the first.</summary>
    public int ItemSize => (int)ElementCount(dimensions.AsSpan(1));

    /// <summary>The product of non-negative sizes, saturated at 2^32 (more than any array holds) so that
    /// a hostile header cannot overflow it.</summary>
    internal static long ElementCount(ReadOnlySpan<int> dimensions)
    {
        const long Saturated = 1L << 32;
        long count = 1;
        foreach (int dimension in dimensions) count = Math.Min(count * dimension, Saturated);
        return count;
    }

    internal string DescribeDimensions() => "(" + string.Join(", ", dimensions) + ")";
}

/// <summary>
/// Reads and writes IDX files of unsigned bytes, raw or gzipped (detected from the content, not
/// the name). The reader treats its input as hostile: the header is checked against the file
/// length before the data is allocated, and every error names the file and the problem.
/// </summary>
public static class IdxFile
{
    /// <summary>The element-type code of unsigned bytes (the third byte of the magic number).</summary>
    public const byte UnsignedByte = 0x08;

    // Deflate cannot expand its input more than about 1032 : 1, so a header that claims more data
    // than that is a lie we can reject before allocating anything.
    private const long MaxDeflateRatio = 1032;

    /// <summary>The magic number of an unsigned-byte IDX file of <paramref name="rank"/> dimensions (0x0803 for images, 0x0801 for labels).</summary>
    public static int MagicFor(int rank) => (UnsignedByte << 8) | rank;

    /// <summary>Reads an unsigned-byte IDX file that must have <paramref name="expectedRank"/> dimensions.</summary>
    /// <exception cref="InvalidFileException">The file is truncated, has a bad magic number, the wrong
    /// number of dimensions, an unsupported element type, corrupt gzip data or bytes after the data.</exception>
    public static IdxArray Read(string path, int expectedRank)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (expectedRank is < 1 or > byte.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(expectedRank), $"expectedRank must be in 1..255, got {expectedRank}.");
        using var file = File.OpenRead(path);
        long fileLength = file.Length;
        Span<byte> signature = stackalloc byte[2];
        bool gzip = file.ReadAtLeast(signature, 2, throwOnEndOfStream: false) == 2 && signature[0] == 0x1F && signature[1] == 0x8B;
        file.Position = 0;
        if (!gzip) return ReadContent(file, path, expectedRank, fileLength, compressed: false);
        try
        {
            using var inflated = new GZipStream(file, CompressionMode.Decompress);
            return ReadContent(inflated, path, expectedRank, fileLength, compressed: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidFileException(path, $"corrupt gzip data ({e.Message}).");
        }
    }

    private static IdxArray ReadContent(Stream stream, string path, int expectedRank, long fileLength, bool compressed)
    {
        string where = compressed ? " after decompression" : "";
        Span<byte> magicBytes = stackalloc byte[4];
        int got = stream.ReadAtLeast(magicBytes, 4, throwOnEndOfStream: false);
        if (got < 4) throw new InvalidFileException(path, $"too short for an IDX header: {got} bytes{where}, the magic number alone needs 4.");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(magicBytes);
        int expectedMagic = MagicFor(expectedRank);
        if (magicBytes[0] != 0 || magicBytes[1] != 0)
            throw new InvalidFileException(path, $"not an IDX file: magic number 0x{magic:X8}, expected 0x{expectedMagic:X8}.");
        if (magicBytes[2] != UnsignedByte)
            throw new InvalidFileException(path, $"magic number 0x{magic:X8} declares element type 0x{magicBytes[2]:X2}; only unsigned bytes (0x08, magic 0x{expectedMagic:X8}) are supported.");
        int rank = magicBytes[3];
        if (rank != expectedRank)
            throw new InvalidFileException(path, $"magic number 0x{magic:X8} declares {rank} dimensions, expected {expectedRank} (magic 0x{expectedMagic:X8}).");

        var dimensionBytes = new byte[4 * rank];
        got = stream.ReadAtLeast(dimensionBytes, dimensionBytes.Length, throwOnEndOfStream: false);
        if (got < dimensionBytes.Length)
            throw new InvalidFileException(path, $"truncated header: {rank} dimensions need {dimensionBytes.Length} bytes after the magic number, the file has {got}{where}.");
        var dimensions = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            uint dimension = BinaryPrimitives.ReadUInt32BigEndian(dimensionBytes.AsSpan(4 * i));
            if (dimension > int.MaxValue)
                throw new InvalidFileException(path, $"dimension {i} is {dimension}, larger than any array can hold.");
            dimensions[i] = (int)dimension;
        }
        long total = IdxArray.ElementCount(dimensions);
        string shape = "(" + string.Join(", ", dimensions) + ")";
        if (total > Array.MaxLength) throw new InvalidFileException(path, $"the header declares {shape}, more bytes than one array can hold.");
        string declared = $"the header declares {shape} = {total} bytes of data";

        long headerLength = 4 + dimensionBytes.Length;
        if (!compressed)
        {
            long available = fileLength - headerLength;
            if (total > available) throw new InvalidFileException(path, $"truncated: {declared}, the file holds {available}.");
            if (total < available) throw new InvalidFileException(path, $"{declared}, but the file holds {available}: {available - total} unexpected bytes follow the data.");
            var data = new byte[total];
            stream.ReadExactly(data);
            return new IdxArray(dimensions, data);
        }

        if (total > fileLength * MaxDeflateRatio)
            throw new InvalidFileException(path, $"{declared}, more than a {fileLength}-byte gzip file can hold; the header is corrupt.");
        var inflated = ReadGrowing(stream, total, out long read);
        if (read < total) throw new InvalidFileException(path, $"truncated: {declared}, the decompressed file holds {read}.");
        if (stream.ReadByte() >= 0) throw new InvalidFileException(path, $"{declared}, but more bytes follow the data after decompression.");
        return new IdxArray(dimensions, inflated);
    }

    /// <summary>Reads up to <paramref name="count"/> bytes, growing the buffer only as data arrives, so that a
    /// lying header in a small compressed file cannot make us allocate the full claimed size up front.</summary>
    private static byte[] ReadGrowing(Stream stream, long count, out long read)
    {
        var buffer = new byte[Math.Min(count, 1 << 20)];
        int filled = 0;
        while (filled < count)
        {
            if (filled == buffer.Length) Array.Resize(ref buffer, (int)Math.Min(count, 2L * buffer.Length));
            int n = stream.Read(buffer, filled, buffer.Length - filled);
            if (n == 0) break;
            filled += n;
        }
        read = filled;
        return buffer;
    }

    /// <summary>Writes <paramref name="array"/> atomically as an unsigned-byte IDX file, gzipped when <paramref name="gzip"/> is set.</summary>
    public static void Write(string path, IdxArray array, bool gzip = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(array);
        var header = new byte[4 + 4 * array.Dimensions.Count];
        BinaryPrimitives.WriteInt32BigEndian(header, MagicFor(array.Dimensions.Count));
        for (int i = 0; i < array.Dimensions.Count; i++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), array.Dimensions[i]);
        AtomicFile.Write(path, file =>
        {
            using var target = gzip ? new GZipStream(file, CompressionLevel.SmallestSize, leaveOpen: true) : null;
            var output = target ?? file;
            output.Write(header);
            output.Write(array.Data);
        });
    }
}
