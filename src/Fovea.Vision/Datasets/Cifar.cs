using Fovea.Serialization;

namespace Fovea.Vision.Datasets;

/// <summary>
/// CIFAR-10 and CIFAR-100 in their "binary version" (cifar-10-batches-bin, cifar-100-binary): records of
/// label byte(s) followed by 3072 pixel bytes, a 32 x 32 image stored channels first (1024 red, 1024 green,
/// 1024 blue, each row-major). CIFAR-10 records have one label; CIFAR-100 records have the coarse label
/// (20 superclasses) then the fine label (100 classes).
/// </summary>
public static class Cifar
{
    public const int ImageSize = 32;
    public const int Channels = 3;
    public const int PixelBytes = Channels * ImageSize * ImageSize;

    public static IReadOnlyList<string> Cifar10ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>CIFAR-10's training split (data_batch_1.bin .. data_batch_5.bin) or test split (test_batch.bin).
    /// Class names come from batches.meta.txt when present.</summary>
    public static ByteImageDataset Load10(string directory, bool train)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string[] files = train ? [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")] : ["test_batch.bin"];
        var names = ReadNames(Path.Combine(directory, "batches.meta.txt"), 10) ?? Cifar10ClassNames;
        return ReadBatches([.. files.Select(f => Require(directory, f))], labelBytes: 1, labelIndex: 0, names);
    }

    /// <summary>CIFAR-100's train.bin or test.bin, labelled by its 100 fine classes or, with <paramref name="coarse"/>,
    /// its 20 superclasses. Class names come from fine_label_names.txt / coarse_label_names.txt when present.</summary>
    public static ByteImageDataset Load100(string directory, bool train, bool coarse = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        int classCount = coarse ? 20 : 100;
        var names = ReadNames(Path.Combine(directory, coarse ? "coarse_label_names.txt" : "fine_label_names.txt"), classCount)
            ?? [.. Enumerable.Range(0, classCount).Select(i => $"class {i}")];
        return ReadBatches([Require(directory, train ? "train.bin" : "test.bin")], labelBytes: 2, labelIndex: coarse ? 0 : 1, names);
    }

    /// <summary>
    /// Reads binary CIFAR batch files of records (<paramref name="labelBytes"/> label bytes + 3072 pixel bytes),
    /// labelling each image with the byte at <paramref name="labelIndex"/>.
    /// </summary>
    /// <exception cref="InvalidFileException">A file is empty, its length is not a whole number of records, or a label is out of range.</exception>
    public static ByteImageDataset ReadBatches(IReadOnlyList<string> paths, int labelBytes, int labelIndex, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(classNames);
        if (labelBytes is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(labelBytes), $"labelBytes must be 1 (CIFAR-10) or 2 (CIFAR-100), got {labelBytes}.");
        if ((uint)labelIndex >= (uint)labelBytes) throw new ArgumentOutOfRangeException(nameof(labelIndex), $"labelIndex must be in [0, {labelBytes}), got {labelIndex}.");
        int recordSize = labelBytes + PixelBytes;
        long total = 0;
        foreach (var path in paths)
        {
            long length = new FileInfo(path).Length;
            if (length == 0) throw new InvalidFileException(path, "is empty; a CIFAR batch holds records of " + recordSize + " bytes.");
            if (length % recordSize != 0)
                throw new InvalidFileException(path, $"length {length} is not a multiple of the {recordSize}-byte CIFAR record ({labelBytes} label byte{(labelBytes == 1 ? "" : "s")} + {PixelBytes} pixels): truncated or not a CIFAR{(labelBytes == 1 ? "-10" : "-100")} binary batch.");
            total += length / recordSize;
        }
        if (total * PixelBytes > Array.MaxLength) throw new ArgumentException($"{total} CIFAR images do not fit in one array.", nameof(paths));

        var pixels = new byte[total * PixelBytes];
        var labels = new int[total];
        int item = 0;
        var record = new byte[recordSize];
        foreach (var path in paths)
        {
            using var file = new BufferedStream(File.OpenRead(path), 1 << 16);
            long records = file.Length / recordSize;
            for (long i = 0; i < records; i++, item++)
            {
                file.ReadExactly(record);
                int label = record[labelIndex];
                if (label >= classNames.Count)
                    throw new InvalidFileException(path, $"record {i} has label {label}, out of range for {classNames.Count} classes: not a CIFAR{(labelBytes == 1 ? "-10" : "-100")} batch, or corrupt.");
                labels[item] = label;
                record.AsSpan(labelBytes).CopyTo(pixels.AsSpan(item * PixelBytes, PixelBytes));
            }
        }
        return new ByteImageDataset(pixels, Channels, ImageSize, ImageSize, labels, classNames);
    }

    private static string Require(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"CIFAR file not found: {path}.", path);
    }

    /// <summary>Class names, one a line, or null when the file does not exist.</summary>
    private static string[]? ReadNames(string path, int expected)
    {
        if (!File.Exists(path)) return null;
        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        return names.Length == expected ? names
            : throw new InvalidFileException(path, $"lists {names.Length} class names, expected {expected}.");
    }
}
