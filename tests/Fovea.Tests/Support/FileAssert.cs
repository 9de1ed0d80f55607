using Fovea.Serialization;

namespace Fovea.Tests.Support;

public static class FileAssert
{
    /// <summary>Same shape and the same float bits everywhere (so −0 ≠ +0), except that NaN equals NaN.</summary>
    public static void SameFloats(Tensor expected, Tensor actual, string label)
    {
        Assert.True(expected.Shape == actual.Shape, $"{label}: shape {actual.Shape}, expected {expected.Shape}.");
        var e = expected.ReadOnlySpan;
        var a = actual.ReadOnlySpan;
        for (int i = 0; i < e.Length; i++)
        {
            bool same = float.IsNaN(e[i]) ? float.IsNaN(a[i]) : BitConverter.SingleToInt32Bits(e[i]) == BitConverter.SingleToInt32Bits(a[i]);
            Assert.True(same, $"{label}: element {i} is {a[i]:R}, expected {e[i]:R}.");
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/>, which must throw InvalidFileException naming <paramref name="name"/> and
    /// containing <paramref name="fragment"/>, while allocating less than 1 MiB (the hostile files claim far more).
    /// </summary>
    public static InvalidFileException Rejects(string name, string fragment, Action read)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidFileException>(read);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains(name, error.Message);
        Assert.Contains(fragment, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(allocated < 1 << 20, $"Rejecting the file allocated {allocated} bytes; the checks must come before large allocations.");
        return error;
    }

    /// <summary>tests/golden/serialization.</summary>
    public static string GoldenSerialization => Path.Combine(Infrastructure.GoldenCase.GoldenDirectory, "serialization");
}
