using System.Buffers.Binary;

namespace Fovea.Serialization;

/// <summary>Little-endian element encodings shared by the .npy and safetensors readers.</summary>
internal static class TensorBytes
{
    public enum Encoding { F32, F64, F16, BF16, I64, I32, U8 }

    public static int ItemSize(Encoding encoding) => encoding switch
    {
        Encoding.F32 or Encoding.I32 => 4,
        Encoding.F64 or Encoding.I64 => 8,
        Encoding.F16 or Encoding.BF16 => 2,
        _ => 1,
    };

    /// <summary>Converts raw little-endian elements to float32.</summary>
    public static void Decode(ReadOnlySpan<byte> raw, Encoding encoding, Span<float> output)
    {
        int size = ItemSize(encoding);
        for (int i = 0; i < output.Length; i++)
        {
            var item = raw.Slice(i * size, size);
            output[i] = encoding switch
            {
                Encoding.F32 => BinaryPrimitives.ReadSingleLittleEndian(item),
                Encoding.F64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(item),
                Encoding.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(item),
                Encoding.BF16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(item) << 16),
                Encoding.I64 => BinaryPrimitives.ReadInt64LittleEndian(item),
                Encoding.I32 => BinaryPrimitives.ReadInt32LittleEndian(item),
                _ => item[0],
            };
        }
    }
}
