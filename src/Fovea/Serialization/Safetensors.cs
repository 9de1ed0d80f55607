using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Fovea.Serialization;

/// <summary>
/// safetensors files (the format PyTorch and Hugging Face use for state dicts): an 8-byte
/// little-endian header length, a JSON header naming each tensor's dtype, shape and byte range,
/// then the raw data. Reads F32, F16, BF16, F64, I64, I32, U8 into float32 tensors; writes F32.
/// The reader treats the file as hostile: every range is checked against the file length, and the
/// tensors must tile the data section exactly (no overlaps, gaps or trailing bytes), before any
/// tensor is allocated; every malformed header gives an <see cref="InvalidFileException"/>.
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
        {
            if (!names.Add(name)) throw new ArgumentException($"Tensor name '{name}' appears twice.", nameof(tensors));
            if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved for the metadata and cannot name a tensor.", nameof(tensors));
        }
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

        if (!System.Text.Unicode.Utf8.IsValid(headerBytes)) throw new InvalidFileException(name, "header is not valid JSON: it is not UTF-8 text.");
        var entries = new List<Entry>();
        metadata = [];
        try
        {
            using var document = JsonDocument.Parse(headerBytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidFileException(name, "header is not a JSON object.");
            var names = new HashSet<string>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw new InvalidFileException(name, $"'{property.Name}' appears more than once in the header.");
                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw new InvalidFileException(name, $"\"{MetadataKey}\" must be an object of strings, found {property.Value.GetRawText()}.");
                    foreach (var item in property.Value.EnumerateObject()) metadata[item.Name] = item.Value.ToString();
                    continue;
                }
                entries.Add(ParseEntry(name, property, dataLength));
            }
        }
        catch (JsonException e) { throw new InvalidFileException(name, $"header is not valid JSON: {e.Message}"); }
        CheckLayout(name, entries, dataLength);

        var result = new Dictionary<string, Tensor>();
        foreach (var (tensorName, encoding, shape, begin, end) in entries.OrderBy(e => e.Begin))
        {
            var raw = new byte[end - begin];
            stream.Seek(dataStart + begin, SeekOrigin.Begin);
            stream.ReadExactly(raw);
            var values = new float[raw.Length / TensorBytes.ItemSize(encoding)];
            TensorBytes.Decode(raw, encoding, values);
            result[tensorName] = new Tensor(values, new Shape(shape));   // takes the array, no second copy
        }
        // Keep the header's order (PyTorch's state-dict order), not the data order.
        return entries.ToDictionary(e => e.Name, e => result[e.Name]);
    }

    private const string MetadataKey = "__metadata__";

    private readonly record struct Entry(string Name, TensorBytes.Encoding Encoding, int[] Shape, long Begin, long End);

    private static Entry ParseEntry(string file, JsonProperty property, long dataLength)
    {
        string tensor = property.Name;
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidFileException(file, $"tensor '{tensor}' must be an object with dtype, shape and data_offsets, found {value.GetRawText()}.");
        var dtypeElement = Field(file, tensor, value, "dtype", JsonValueKind.String);
        var dtype = dtypeElement.GetString();
        var encoding = dtype switch
        {
            "F32" => TensorBytes.Encoding.F32,
            "F64" => TensorBytes.Encoding.F64,
            "F16" => TensorBytes.Encoding.F16,
            "BF16" => TensorBytes.Encoding.BF16,
            "I64" => TensorBytes.Encoding.I64,
            "I32" => TensorBytes.Encoding.I32,
            "U8" or "BOOL" => TensorBytes.Encoding.U8,
            _ => throw new InvalidFileException(file, $"tensor '{tensor}' has unsupported dtype '{dtype}' (supported: F32, F64, F16, BF16, I64, I32, U8, BOOL)."),
        };
        var dims = Field(file, tensor, value, "shape", JsonValueKind.Array).EnumerateArray().Select(d => Integer(file, tensor, "shape", d)).ToArray();
        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0 || d > int.MaxValue) throw new InvalidFileException(file, $"tensor '{tensor}' has a bad dimension {d}.");
            count *= d;
            if (count > int.MaxValue) throw new InvalidFileException(file, $"tensor '{tensor}' is too large: shape [{string.Join(", ", dims)}].");
        }
        var offsets = Field(file, tensor, value, "data_offsets", JsonValueKind.Array).EnumerateArray().Select(o => Integer(file, tensor, "data_offsets", o)).ToArray();
        if (offsets.Length != 2)
            throw new InvalidFileException(file, $"tensor '{tensor}' has \"data_offsets\" [{string.Join(", ", offsets)}]; expected two integers [begin, end].");
        if (offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
            throw new InvalidFileException(file, $"tensor '{tensor}' has data offsets [{string.Join(", ", offsets)}] outside the data section ({dataLength} bytes); the file may be truncated.");
        if (offsets[1] - offsets[0] != count * TensorBytes.ItemSize(encoding))
            throw new InvalidFileException(file, $"tensor '{tensor}' of {dtype} shape [{string.Join(", ", dims)}] needs {count * TensorBytes.ItemSize(encoding)} bytes but its offsets span {offsets[1] - offsets[0]}.");
        return new Entry(tensor, encoding, dims.Select(d => (int)d).ToArray(), offsets[0], offsets[1]);
    }

    /// <summary>The member <paramref name="key"/> of a tensor's entry, which must be of the given kind.</summary>
    private static JsonElement Field(string file, string tensor, JsonElement entry, string key, JsonValueKind kind)
    {
        if (!entry.TryGetProperty(key, out var field)) throw new InvalidFileException(file, $"tensor '{tensor}' has no \"{key}\".");
        if (field.ValueKind != kind)
            throw new InvalidFileException(file, $"tensor '{tensor}' has a \"{key}\" that is not {(kind == JsonValueKind.Array ? "an array" : "a string")}: {field.GetRawText()}.");
        return field;
    }

    private static long Integer(string file, string tensor, string key, JsonElement element) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out long value)
            ? value
            : throw new InvalidFileException(file, $"tensor '{tensor}' has {element.GetRawText()} in \"{key}\", which is not a 64-bit integer.");

    /// <summary>
    /// Tensors must tile the data section exactly, as the reference implementation requires: sorted by
    /// offset, each starts where the previous ended, and the last ends at the end of the file. This
    /// rejects overlapping ranges (which would let a small file expand into many large tensors).
    /// </summary>
    private static void CheckLayout(string file, List<Entry> entries, long dataLength)
    {
        long expected = 0;
        string? previous = null;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin < expected)
                throw new InvalidFileException(file, $"tensors '{previous}' and '{entry.Name}' overlap in the data section (bytes {entry.Begin} to {expected}).");
            if (entry.Begin > expected)
                throw new InvalidFileException(file, $"bytes {expected} to {entry.Begin} of the data section are unused by any tensor (before '{entry.Name}').");
            expected = entry.End;
            previous = entry.Name;
        }
        if (expected != dataLength)
            throw new InvalidFileException(file, $"the last {dataLength - expected} bytes of the data section ({dataLength} bytes) are unused by any tensor; the header and the file disagree.");
    }
}
