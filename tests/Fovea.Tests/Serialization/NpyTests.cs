using System.Buffers.Binary;
using System.Text;
using Fovea.Serialization;
using Fovea.Tests.Support;

namespace Fovea.Tests.Serialization;

public sealed class NpyTests
{
    private const string Name = "hostile.npy";
    private static string NpyFolder => Path.Combine(FileAssert.GoldenSerialization, "npy");

    // ---- round trips ----

    [Theory]
    [InlineData(Npy.DType.Float32)]
    [InlineData(Npy.DType.Float64)]
    [InlineData(Npy.DType.Int64)]
    [InlineData(Npy.DType.Int32)]
    [InlineData(Npy.DType.UInt8)]
    public void RoundTripKeepsShapeValuesAndDtype(Npy.DType type)
    {
        using var folder = new TempDirectory();
        var values = Tensor.FromArray([0f, 1f, 2f, 3f, 17f, 100f, 200f, 255f, 42f, 7f, 9f, 128f], 2, 3, 2);
        var path = folder.File($"{type}.npy");
        Npy.Write(path, values, type);
        var read = Npy.Read(path, out var stored);
        Assert.Equal(type, stored);
        FileAssert.SameFloats(values, read, type.ToString());
        Assert.Equal([$"{type}.npy"], folder.Files());
    }

    [Fact]
    public void RoundTripOfFloat32KeepsSpecialValuesScalarsAndEmptyArrays()
    {
        using var folder = new TempDirectory();
        var cases = new Dictionary<string, Tensor>
        {
            ["special"] = Tensor.FromArray([0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue]),
            ["scalar"] = Tensor.Scalar(-3.5f),
            ["empty"] = Tensor.Zeros(0, 4),
        };
        foreach (var (name, tensor) in cases)
        {
            Npy.Write(folder.File(name + ".npy"), tensor);
            FileAssert.SameFloats(tensor, Npy.Read(folder.File(name + ".npy")), name);
        }
    }

    [Fact]
    public void IntegerDtypesTruncateTowardZeroAndUInt8Saturates()
    {
        using var folder = new TempDirectory();
        var values = Tensor.FromArray([2.7f, -2.7f, 300f, -5f]);
        Npy.Write(folder.File("i.npy"), values, Npy.DType.Int32);
        Npy.Write(folder.File("u.npy"), values, Npy.DType.UInt8);
        Assert.Equal([2f, -2f, 300f, -5f], Npy.Read(folder.File("i.npy")).ToArray());
        Assert.Equal([2f, 0f, 255f, 0f], Npy.Read(folder.File("u.npy")).ToArray());
    }

    // ---- files written by NumPy (tools/golden/serialization.py) ----

    [Theory]
    [InlineData("float32", Npy.DType.Float32, new[] { 2, 3, 3 })]
    [InlineData("float64", Npy.DType.Float64, new[] { 18 })]
    [InlineData("int64", Npy.DType.Int64, new[] { 3, 3 })]
    [InlineData("int32", Npy.DType.Int32, new[] { 6 })]
    [InlineData("uint8", Npy.DType.UInt8, new[] { 2, 2, 2 })]
    [InlineData("scalar", Npy.DType.Float32, new int[0])]
    [InlineData("empty", Npy.DType.Float32, new[] { 0, 3 })]
    [InlineData("version2", Npy.DType.Float32, new[] { 2, 3, 3 })]
    public void ReadsNumPyFilesAsNumPyConvertsThem(string name, Npy.DType type, int[] shape)
    {
        var expected = Safetensors.Read(Path.Combine(FileAssert.GoldenSerialization, "npy_expected.safetensors"))[name];
        var read = Npy.Read(Path.Combine(NpyFolder, name + ".npy"), out var stored);
        Assert.Equal(type, stored);
        Assert.Equal(new Shape(shape), read.Shape);
        FileAssert.SameFloats(expected, read, name);
    }

    [Theory]
    [InlineData("float32", Npy.DType.Float32)]
    [InlineData("uint8", Npy.DType.UInt8)]
    [InlineData("scalar", Npy.DType.Float32)]
    [InlineData("empty", Npy.DType.Float32)]
    public void WritesTheSameBytesAsNumPy(string name, Npy.DType type)
    {
        using var folder = new TempDirectory();
        var numpyFile = Path.Combine(NpyFolder, name + ".npy");
        Npy.Write(folder.File("mine.npy"), Npy.Read(numpyFile), type);
        Assert.Equal(File.ReadAllBytes(numpyFile), File.ReadAllBytes(folder.File("mine.npy")));
    }

    [Theory]
    [InlineData("fortran", "Fortran-order")]
    [InlineData("bigendian", "unsupported dtype '>f4'")]
    [InlineData("bool", "unsupported dtype '|b1'")]
    public void RefusesNumPyFilesItCannotRepresent(string name, string fragment)
    {
        var path = Path.Combine(NpyFolder, name + ".npy");
        FileAssert.Rejects(path, fragment, () => Npy.Read(path));
    }

    // ---- hostile files ----

    /// <summary>Magic, version, header length (2 bytes for version 1, 4 otherwise), header, then data bytes.</summary>
    private static byte[] NpyBytes(string header, int dataBytes, byte major = 1, long? declaredLength = null)
    {
        var text = Encoding.Latin1.GetBytes(header);
        int lengthBytes = major == 1 ? 2 : 4;
        var bytes = new byte[8 + lengthBytes + text.Length + dataBytes];
        byte[] magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
        magic.CopyTo(bytes, 0);
        bytes[6] = major;
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)(declaredLength ?? text.Length));
        else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)(declaredLength ?? text.Length));
        text.CopyTo(bytes, 8 + lengthBytes);
        return bytes;
    }

    private static string Header(string descr, string shape, string fortran = "False") =>
        $"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}\n";

    private static void Read(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        Npy.Read(stream, Name, out _);
    }

    public static TheoryData<string, byte[], string> HostileFiles() => new()
    {
        { "too short", [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P'], "too short" },
        { "bad magic", Encoding.Latin1.GetBytes("PK\x03\x04 not numpy at all"), "bad magic" },
        { "version 4", NpyBytes(Header("<f4", "(1,)"), 4, major: 4), "unsupported .npy version 4" },
        { "header length beyond the file", NpyBytes(Header("<f4", "(1,)"), 4, declaredLength: 60000), "exceeds the file" },
        { "version 2 header length huge", NpyBytes(Header("<f4", "(1,)"), 4, major: 2, declaredLength: uint.MaxValue), "exceeds the file" },
        { "no descr", NpyBytes("{'fortran_order': False, 'shape': (3,), }\n", 12), "malformed header" },
        { "no shape", NpyBytes("{'descr': '<f4', 'fortran_order': False, }\n", 12), "malformed header" },
        { "negative dimension", NpyBytes(Header("<f4", "(-1, 3)"), 12), "bad dimension '-1'" },
        { "dimension beyond int", NpyBytes(Header("<f4", "(4294967296,)"), 12), "bad dimension '4294967296'" },
        { "dimension not a number", NpyBytes(Header("<f4", "(a, 3)"), 12), "bad dimension 'a'" },
        { "huge dimensions", NpyBytes(Header("<f4", "(100000, 100000)"), 16), "too large" },
        { "truncated data", NpyBytes(Header("<f4", "(1000,)"), 10), "truncated" },
        { "huge claim", NpyBytes(Header("<f8", "(200000000,)"), 64), "truncated" },
        { "complex dtype", NpyBytes(Header("<c8", "(2,)"), 16), "unsupported dtype '<c8'" },
        { "half floats", NpyBytes(Header("<f2", "(2,)"), 4), "unsupported dtype '<f2'" },
        { "Fortran order", NpyBytes(Header("<f4", "(2, 2)", "True"), 16), "Fortran-order" },
    };

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public void HostileFileIsRejected(string @case, byte[] bytes, string fragment)
    {
        Assert.NotNull(@case);
        FileAssert.Rejects(Name, fragment, () => Read(bytes));
    }

    [Fact]
    public void TruncatedNumPyFileIsRejected()
    {
        var bytes = File.ReadAllBytes(Path.Combine(NpyFolder, "float64.npy"));
        FileAssert.Rejects(Name, "truncated", () => Read(bytes[..^1]));
    }
}
