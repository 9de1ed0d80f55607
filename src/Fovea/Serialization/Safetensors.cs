using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Fovea.Serialization;

/// <summary>
/// safetensors files (the format PyTorch and Hugging Face use for state dicts): an 8-byte
/// little-endian header length, a JSON header naming each tensor's dtype, shape and byte range,
/// then the raw data. Reads F32, F16, BF16, F64, I64, I32, U8 into float32 tensors; writes F32.
/// The reader treats the file as hostile: every range is checked against the file length before
/// any allocation.
/// </summary>
public static class Safetensors
{
    private const long MaxHeaderBytes = 100L << 20;

    /// <summary>Writes tensors (in the given order) atomically as F32, with optional string metadata.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var names = new HashSet<string>();
        foreach (var (name, _) in list)
            if (!names.Add(name)) throw new ArgumentException($"Tensor name '{name}' appears twice.", nameof(tensors));
        using var headerBuffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(headerBuffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in list)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in tensor.Shape.Dims) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += 4L * tensor.Size;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        var header = headerBuffer.ToArray();
        int padding = (int)((8 - header.Length % 8) % 8);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)(header.Length + padding));
            stream.Write(length);
            stream.Write(header);
            for (int i = 0; i < padding; i++) stream.WriteByte((byte)' ');
            var bytes = new byte[1 << 16];
            foreach (var (_, tensor) in list)
            {
                var values = tensor.ReadOnlySpan;
                for (int start = 0; start < values.Length; start += bytes.Length / 4)
                {
                    int count = Math.Min(bytes.Length / 4, values.Length - start);
                    for (int i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[start + i]);
                    stream.Write(bytes, 0, count * 4);
                }
            }
        });
    }

    /// <summary>Reads every tensor in file order, converted to float32.</summary>
    public static Dictionary<string, Tensor> Read(string path) => Read(path, out _);

    public static Dictionary<string, Tensor> Read(string path, out Dictionary<string, string> metadata)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path, out metadata);
    }

    public static Dictionary<string, Tensor> Read(Stream stream, string name, out Dictionary<string, string> metadata)
    {
        long length = stream.Length;
        Span<byte> prefix = stackalloc byte[8];
        if (length < 8 || stream.ReadAtLeast(prefix, 8, false) < 8)
            throw new InvalidFileException(name, $"too short for a safetensors header ({length} bytes).");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength < 2 || headerLength > MaxHeaderBytes || (long)headerLength > length - 8)
            throw new InvalidFileException(name, $"header length {headerLength} does not fit the file ({length} bytes).");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLength, dataLength = length - dataStart;

        var entries = new List<(string Name, TensorBytes.Encoding Encoding, int[] Shape, long Begin, long End)>();
        metadata = [];
        try
        {
            using var document = JsonDocument.Parse(headerBytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidFileException(name, "header is not a JSON object.");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    foreach (var item in property.Value.EnumerateObject()) metadata[item.Name] = item.Value.ToString();
                    continue;
                }
                entries.Add(ParseEntry(name, property, dataLength));
            }
        }
        catch (JsonException e) { throw new InvalidFileException(name, $"header is not valid JSON: {e.Message}"); }
        catch (InvalidOperationException e) { throw new InvalidFileException(name, $"malformed header: {e.Message}"); }

        var result = new Dictionary<string, Tensor>();
        foreach (var (tensorName, encoding, shape, begin, end) in entries.OrderBy(e => e.Begin))
        {
            var raw = new byte[end - begin];
            stream.Seek(dataStart + begin, SeekOrigin.Begin);
            stream.ReadExactly(raw);
            var values = new float[raw.Length / TensorBytes.ItemSize(encoding)];
            TensorBytes.Decode(raw, encoding, values);
            result[tensorName] = Tensor.FromSpan(values, new Shape(shape));
        }
        // Keep the header's order (PyTorch's state-dict order), not the data order.
        return entries.ToDictionary(e => e.Name, e => result[e.Name]);
    }

    private static (string, TensorBytes.Encoding, int[], long, long) ParseEntry(string file, JsonProperty property, long dataLength)
    {
        var value = property.Value;
        var dtype = value.GetProperty("dtype").GetString();
        var encoding = dtype switch
        {
            "F32" => TensorBytes.Encoding.F32,
            "F64" => TensorBytes.Encoding.F64,
            "F16" => TensorBytes.Encoding.F16,
            "BF16" => TensorBytes.Encoding.BF16,
            "I64" => TensorBytes.Encoding.I64,
            "I32" => TensorBytes.Encoding.I32,
            "U8" or "BOOL" => TensorBytes.Encoding.U8,
            _ => throw new InvalidFileException(file, $"tensor '{property.Name}' has unsupported dtype '{dtype}' (supported: F32, F64, F16, BF16, I64, I32, U8, BOOL)."),
        };
        var dims = value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0 || d > int.MaxValue) throw new InvalidFileException(file, $"tensor '{property.Name}' has a bad dimension {d}.");
            count *= d;
            if (count > int.MaxValue) throw new InvalidFileException(file, $"tensor '{property.Name}' is too large.");
        }
        var offsets = value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
            throw new InvalidFileException(file, $"tensor '{property.Name}' has data offsets [{string.Join(", ", offsets)}] outside the data section ({dataLength} bytes); the file may be truncated.");
        if (offsets[1] - offsets[0] != count * TensorBytes.ItemSize(encoding))
            throw new InvalidFileException(file, $"tensor '{property.Name}' of {dtype} shape [{string.Join(", ", dims)}] needs {count * TensorBytes.ItemSize(encoding)} bytes but its offsets span {offsets[1] - offsets[0]}.");
        return (property.Name, encoding, dims.Select(d => (int)d).ToArray(), offsets[0], offsets[1]);
    }
}
