using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace Fovea.Serialization;

/// <summary>
/// NumPy .npy files (format versions 1-3, C order, little-endian). Reads float32, float64, int64,
/// int32 and uint8 into float32 tensors; writes float32, float64, int64 or uint8. Every size is
/// checked against the file length before anything is allocated.
/// </summary>
public static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public enum DType { Float32, Float64, Int64, Int32, UInt8 }

    private static (string Descr, int Bytes) Describe(DType type) => type switch
    {
        DType.Float32 => ("<f4", 4),
        DType.Float64 => ("<f8", 8),
        DType.Int64 => ("<i8", 8),
        DType.Int32 => ("<i4", 4),
        DType.UInt8 => ("|u1", 1),
        _ => throw new ArgumentOutOfRangeException(nameof(type), $"Unknown dtype {type}."),
    };

    /// <summary>Reads an .npy file as a float32 tensor (other dtypes are converted).</summary>
    public static Tensor Read(string path) => Read(path, out _);

    public static Tensor Read(string path, out DType storedType)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path, out storedType);
    }

    public static Tensor Read(Stream stream, string name, out DType storedType)
    {
        long length = stream.Length;
        Span<byte> prefix = stackalloc byte[10];
        if (length < 10 || stream.ReadAtLeast(prefix, 10, throwOnEndOfStream: false) < 10)
            throw new InvalidFileException(name, $"too short for an .npy header ({length} bytes).");
        if (!prefix[..6].SequenceEqual(Magic)) throw new InvalidFileException(name, "not an .npy file (bad magic).");
        int major = prefix[6];
        long headerLength;
        int prefixLength;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]); prefixLength = 10; }
        else if (major is 2 or 3)
        {
            Span<byte> extra = stackalloc byte[2];
            if (stream.ReadAtLeast(extra, 2, false) < 2) throw new InvalidFileException(name, "truncated header.");
            headerLength = BinaryPrimitives.ReadUInt32LittleEndian([prefix[8], prefix[9], extra[0], extra[1]]);
            prefixLength = 12;
        }
        else throw new InvalidFileException(name, $"unsupported .npy version {major}.");
        if (headerLength > 1 << 20 || prefixLength + headerLength > length)
            throw new InvalidFileException(name, $"header length {headerLength} exceeds the file ({length} bytes).");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var header = Encoding.Latin1.GetString(headerBytes);

        var descr = DescrPattern().Match(header);
        var order = FortranPattern().Match(header);
        var shapeMatch = ShapePattern().Match(header);
        if (!descr.Success || !order.Success || !shapeMatch.Success)
            throw new InvalidFileException(name, $"malformed header: {header.Trim()}");
        if (order.Groups[1].Value == "True") throw new InvalidFileException(name, "Fortran-order arrays are not supported.");
        (storedType, int itemBytes) = descr.Groups[1].Value switch
        {
            "<f4" => (DType.Float32, 4),
            "<f8" => (DType.Float64, 8),
            "<i8" => (DType.Int64, 8),
            "<i4" => (DType.Int32, 4),
            "|u1" or "<u1" => (DType.UInt8, 1),
            var other => throw new InvalidFileException(name, $"unsupported dtype '{other}' (supported: <f4, <f8, <i8, <i4, |u1)."),
        };
        var dims = new List<int>();
        long count = 1;
        foreach (var part in shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!long.TryParse(part, out long dim) || dim < 0 || dim > int.MaxValue)
                throw new InvalidFileException(name, $"bad dimension '{part}' in shape ({shapeMatch.Groups[1].Value}).");
            count *= dim;
            if (count > int.MaxValue) throw new InvalidFileException(name, $"shape ({shapeMatch.Groups[1].Value}) is too large.");
            dims.Add((int)dim);
        }
        long payload = count * itemBytes;
        long available = length - prefixLength - headerLength;
        if (payload > available)
            throw new InvalidFileException(name, $"truncated: shape ({shapeMatch.Groups[1].Value}) of {descr.Groups[1].Value} needs {payload} data bytes, the file has {available}.");
        var raw = new byte[payload];
        stream.ReadExactly(raw);
        var values = new float[count];
        TensorBytes.Decode(raw, storedType switch
        {
            DType.Float32 => TensorBytes.Encoding.F32,
            DType.Float64 => TensorBytes.Encoding.F64,
            DType.Int64 => TensorBytes.Encoding.I64,
            DType.Int32 => TensorBytes.Encoding.I32,
            _ => TensorBytes.Encoding.U8,
        }, values);
        return new Tensor(values, new Shape([.. dims]));   // takes the array, no second copy
    }

    /// <summary>Writes <paramref name="tensor"/> atomically, converting to <paramref name="type"/>.</summary>
    public static void Write(string path, Tensor tensor, DType type = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var (descr, itemBytes) = Describe(type);
        var dims = tensor.Shape.ToArray();
        string shapeText = dims.Length == 1 ? $"({dims[0]},)" : "(" + string.Join(", ", dims) + ")";
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int unpadded = 10 + header.Length + 1;
        header = header + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        var payload = new byte[(long)tensor.Size * itemBytes];
        var values = tensor.ReadOnlySpan;
        for (int i = 0; i < values.Length; i++)
        {
            var slot = payload.AsSpan(i * itemBytes, itemBytes);
            switch (type)
            {
                case DType.Float32: BinaryPrimitives.WriteSingleLittleEndian(slot, values[i]); break;
                case DType.Float64: BinaryPrimitives.WriteDoubleLittleEndian(slot, values[i]); break;
                case DType.Int64: BinaryPrimitives.WriteInt64LittleEndian(slot, (long)values[i]); break;
                case DType.Int32: BinaryPrimitives.WriteInt32LittleEndian(slot, (int)values[i]); break;
                default: slot[0] = (byte)Math.Clamp(values[i], 0, 255); break;
            }
        }
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            stream.Write([1, 0]);
            Span<byte> len = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
            stream.Write(len);
            stream.Write(Encoding.Latin1.GetBytes(header));
            stream.Write(payload);
        });
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")] private static partial Regex DescrPattern();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")] private static partial Regex FortranPattern();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapePattern();
}
