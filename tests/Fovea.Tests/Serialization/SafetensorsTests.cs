using System.Buffers.Binary;
using System.Text;
using Fovea.Nn;
using Fovea.Serialization;
using Fovea.Tests.Infrastructure;
using Fovea.Tests.Support;

namespace Fovea.Tests.Serialization;

public sealed class SafetensorsTests
{
    private const string Name = "hostile.safetensors";

    // ---- round trips ----

    [Fact]
    public void RoundTripKeepsOrderShapesValuesAndMetadata()
    {
        using var folder = new TempDirectory();
        var special = Tensor.FromArray([0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue, -1.5e-38f], 2, 4);
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            new("z.last.first", special),
            new("a.scalar", Tensor.Scalar(3.25f)),
            new("m.empty", Tensor.Zeros(0, 5)),
            new("b.random", Tensor.Randn(new Shape(3, 1, 2, 5), new Generator(7))),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcödé \"quoted\"" };
        var path = folder.File("round.safetensors");

        Safetensors.Write(path, tensors, metadata);
        var read = Safetensors.Read(path, out var readMetadata);

        Assert.Equal(tensors.Select(t => t.Key), read.Keys);
        foreach (var (name, tensor) in tensors) FileAssert.SameFloats(tensor, read[name], name);
        Assert.Equal(metadata, readMetadata);
        Assert.Equal(["round.safetensors"], folder.Files());
    }

    [Fact]
    public void WrittenHeaderIsPaddedToEightBytesAndDataIsContiguous()
    {
        using var folder = new TempDirectory();
        var path = folder.File("layout.safetensors");
        Safetensors.Write(path, [new("x", Tensor.Ones(3)), new("y", Tensor.Ones(2, 2))]);
        var bytes = File.ReadAllBytes(path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, headerLength % 8);
        Assert.Equal(8 + (long)headerLength + 4 * (3 + 4), bytes.Length);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength).TrimEnd();
        Assert.Contains("\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}", header);
        Assert.Contains("\"y\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[12,28]}", header);
    }

    [Fact]
    public void WriteRejectsDuplicateAndReservedNames()
    {
        using var folder = new TempDirectory();
        Assert.Throws<ArgumentException>(() => Safetensors.Write(folder.File("d.safetensors"), [new("a", Tensor.Ones(1)), new("a", Tensor.Ones(2))]));
        var reserved = Assert.Throws<ArgumentException>(() => Safetensors.Write(folder.File("r.safetensors"), [new("__metadata__", Tensor.Ones(1))]));
        Assert.Contains("__metadata__", reserved.Message);
        Assert.Empty(folder.Files());
    }

    // ---- files written by PyTorch (tools/golden/serialization.py) ----

    [Fact]
    public void ReadsEveryDtypeAsTorchConvertsIt()
    {
        var read = Safetensors.Read(Path.Combine(FileAssert.GoldenSerialization, "dtypes.safetensors"));
        var expected = Safetensors.Read(Path.Combine(FileAssert.GoldenSerialization, "dtypes_expected.safetensors"));
        Assert.Equal(["f32", "f16", "bf16", "f64", "i64", "scalar_f32", "empty_f32"], read.Keys);
        Assert.Equal(expected.Keys, read.Keys);
        foreach (var (name, tensor) in expected) FileAssert.SameFloats(tensor, read[name], name);
        Assert.Equal(0, read["scalar_f32"].Rank);
        Assert.Equal(new Shape(0, 3), read["empty_f32"].Shape);
    }

    [Fact]
    public void LoadsAPyTorchStateDictAndComputesTheSameOutput()
    {
        var model = new Sequential(new Linear(4, 3), new Identity(), new Linear(3, 2));
        var result = model.Load(Path.Combine(FileAssert.GoldenSerialization, "linear_state.safetensors"));
        Assert.Empty(result.MissingKeys);
        Assert.Empty(result.UnexpectedKeys);
        var io = Safetensors.Read(Path.Combine(FileAssert.GoldenSerialization, "linear_io.safetensors"));
        TensorAssert.Close(io["out"], model.Forward(io["in.0"]), 1e-5f, 1e-6f, "serialization/linear_io [out]");

        using var folder = new TempDirectory();
        model.Save(folder.File("again.safetensors"));
        var torchState = Safetensors.Read(Path.Combine(FileAssert.GoldenSerialization, "linear_state.safetensors"));
        var saved = Safetensors.Read(folder.File("again.safetensors"));
        Assert.Equal(torchState.Keys, saved.Keys);
        foreach (var (name, tensor) in torchState) FileAssert.SameFloats(tensor, saved[name], name);
    }

    // ---- hostile files ----

    /// <summary>An 8-byte length, the header text, then <paramref name="dataBytes"/> zero bytes.</summary>
    private static byte[] File8(string header, int dataBytes = 0, ulong? declaredLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    private static void Read(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        Safetensors.Read(stream, Name, out _);
    }

    private static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":{dtype},\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    public static TheoryData<string, string, int, string> HostileHeaders() => new()
    {
        // case, header, data bytes after it, expected fragment of the message
        { "offsets beyond the data", "{" + Entry("a", "\"F32\"", "[4]", 0, 16) + "}", 8, "outside the data section" },
        { "offsets reversed", "{" + Entry("a", "\"F32\"", "[0]", 16, 0) + "}", 16, "outside the data section" },
        { "negative offset", "{" + Entry("a", "\"F32\"", "[1]", -4, 0) + "}", 4, "outside the data section" },
        { "huge claim", "{" + Entry("a", "\"F32\"", "[10000,10000]", 0, 400_000_000) + "}", 16, "outside the data section" },
        { "size does not match the shape", "{" + Entry("a", "\"F32\"", "[2,2]", 0, 12) + "}", 12, "needs 16 bytes" },
        { "overlapping tensors", "{" + Entry("a", "\"F32\"", "[4]", 0, 16) + "," + Entry("b", "\"F32\"", "[4]", 8, 24) + "}", 24, "overlap" },
        { "same range twice", "{" + Entry("a", "\"F32\"", "[4]", 0, 16) + "," + Entry("b", "\"F32\"", "[4]", 0, 16) + "}", 16, "overlap" },
        { "gap between tensors", "{" + Entry("a", "\"F32\"", "[2]", 0, 8) + "," + Entry("b", "\"F32\"", "[2]", 12, 20) + "}", 20, "unused" },
        { "unused bytes at the end", "{" + Entry("a", "\"F32\"", "[2]", 0, 8) + "}", 16, "unused" },
        { "not JSON", "{not json", 0, "not valid JSON" },
        { "not an object", "[1,2]", 0, "not a JSON object" },
        { "entry not an object", "{\"a\":5}", 0, "tensor 'a'" },
        { "missing dtype", "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "\"dtype\"" },
        { "missing shape", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, "\"shape\"" },
        { "missing offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "\"data_offsets\"" },
        { "fractional dimension", "{" + Entry("a", "\"F32\"", "[1.5]", 0, 4) + "}", 4, "1.5" },
        { "dimension not a number", "{" + Entry("a", "\"F32\"", "[\"2\"]", 0, 8) + "}", 8, "\"2\"" },
        { "shape not an array", "{" + Entry("a", "\"F32\"", "3", 0, 12) + "}", 12, "shape" },
        { "negative dimension", "{" + Entry("a", "\"F32\"", "[-1,4]", 0, 16) + "}", 16, "bad dimension -1" },
        { "dimension beyond int", "{" + Entry("a", "\"U8\"", "[4294967296]", 0, 16) + "}", 16, "bad dimension 4294967296" },
        { "huge dimensions", "{" + Entry("a", "\"F32\"", "[2147483647,2147483647]", 0, 8) + "}", 8, "too large" },
        { "unsupported dtype", "{" + Entry("a", "\"F8_E4M3\"", "[4]", 0, 4) + "}", 4, "unsupported dtype 'F8_E4M3'" },
        { "dtype not a string", "{" + Entry("a", "5", "[4]", 0, 16) + "}", 16, "dtype" },
        { "duplicate names", "{" + Entry("a", "\"F32\"", "[1]", 0, 4) + "," + Entry("a", "\"F32\"", "[1]", 4, 8) + "}", 8, "more than once" },
        { "three offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8, "data_offsets" },
        { "metadata not an object", "{\"__metadata__\":5}", 0, "__metadata__" },
    };

    [Theory]
    [MemberData(nameof(HostileHeaders))]
    public void HostileHeaderIsRejected(string @case, string header, int dataBytes, string fragment)
    {
        Assert.NotNull(@case);
        FileAssert.Rejects(Name, fragment, () => Read(File8(header, dataBytes)));
    }

    [Theory]
    [InlineData(1000UL)]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 40)]
    [InlineData(1UL)]
    public void HeaderLengthThatDoesNotFitIsRejected(ulong declared) =>
        FileAssert.Rejects(Name, "does not fit", () => Read(File8("{}", 0, declared)));

    [Fact]
    public void FileShorterThanTheLengthFieldIsRejected() =>
        FileAssert.Rejects(Name, "too short", () => Read([1, 2, 3, 4, 5]));

    [Fact]
    public void InvalidUtf8HeaderIsRejected()
    {
        var bytes = File8("{\"a\":1}");
        bytes[10] = 0xFF;
        FileAssert.Rejects(Name, "not valid JSON", () => Read(bytes));
    }

    [Fact]
    public void TruncatedRealFileIsRejected()
    {
        var bytes = File.ReadAllBytes(Path.Combine(FileAssert.GoldenSerialization, "dtypes.safetensors"));
        FileAssert.Rejects(Name, "outside the data section", () => Read(bytes[..^3]));
    }

    [Fact]
    public void ErrorNamesTheFileOnDisk()
    {
        using var folder = new TempDirectory();
        var path = folder.File("broken.safetensors");
        File.WriteAllBytes(path, File8("{" + Entry("a", "\"F32\"", "[4]", 0, 16) + "}", 8));
        var error = Assert.Throws<InvalidFileException>(() => Safetensors.Read(path));
        Assert.Equal(path, error.FilePath);
        Assert.StartsWith(path + ": ", error.Message);
    }
}
