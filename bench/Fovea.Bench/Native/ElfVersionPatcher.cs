using System.Buffers.Binary;
using System.Text;

namespace Fovea.Bench.Native;

/// <summary>
/// Marks a symbol-version requirement of an ELF64 little-endian shared object as weak (VER_FLG_WEAK),
/// so that the dynamic loader accepts the library when the providing library lacks that version.
///
/// Why: TorchSharp 0.107.0's libLibTorchSharp.so was linked against GCC 13's libstdc++ and so needs
/// GLIBCXX_3.4.32, which Debian 12's libstdc++ (GCC 12) lacks. The only symbol bound to that version is
/// std::ios_base_library_init(), a marker GCC 13's &lt;iostream&gt; references without any relocation, so
/// nothing is ever looked up under it: a weak requirement is all the loader needs.
///
/// Layout read here (from elf.h): the section header table finds the SHT_GNU_verneed section
/// (".gnu.version_r"); its sh_link names the string table and sh_info the number of Elf64_Verneed
/// records, each followed (at vn_aux) by vn_cnt Elf64_Vernaux records. vna_flags is the u16 at offset 4
/// of an Elf64_Vernaux. Every offset is bounds-checked against the file.
/// </summary>
public static class ElfVersionPatcher
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>What <see cref="MakeWeak"/> found and did.</summary>
    public enum Outcome { Patched, AlreadyWeak, NotRequired }

    /// <summary>
    /// Makes the requirement of <paramref name="version"/> from <paramref name="library"/> weak in the
    /// file at <paramref name="path"/>. The new file is written beside the old one and renamed over it,
    /// so a process that has the old file mapped keeps a consistent copy.
    /// </summary>
    public static Outcome MakeWeak(string path, string library, string version)
    {
        byte[] image = File.ReadAllBytes(path);
        var offsets = FindRequirement(image, library, version);
        if (offsets.Count == 0) return Outcome.NotRequired;
        bool changed = false;
        foreach (int flagsOffset in offsets)
        {
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(flagsOffset));
            if ((flags & VerFlgWeak) != 0) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(flagsOffset), (ushort)(flags | VerFlgWeak));
            changed = true;
        }
        if (!changed) return Outcome.AlreadyWeak;

        string temporary = path + ".patching-" + Environment.ProcessId;
        File.WriteAllBytes(temporary, image);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
        File.Move(temporary, path, overwrite: true);
        return Outcome.Patched;
    }

    /// <summary>True when the file requires <paramref name="version"/> and every such requirement is weak.</summary>
    public static bool IsWeak(string path, string library, string version)
    {
        byte[] image = File.ReadAllBytes(path);
        var offsets = FindRequirement(image, library, version);
        return offsets.Count > 0 && offsets.All(o => (BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(o)) & VerFlgWeak) != 0);
    }

    /// <summary>File offsets of the vna_flags fields of every requirement of version from library.</summary>
    public static List<int> FindRequirement(ReadOnlySpan<byte> image, string library, string version)
    {
        // Elf64_Ehdr: e_ident[16], e_type u16, e_machine u16, e_version u32, e_entry u64, e_phoff u64,
        // e_shoff u64 (at 40), e_flags u32, e_ehsize u16, e_phentsize u16, e_phnum u16,
        // e_shentsize u16 (at 58), e_shnum u16 (at 60), e_shstrndx u16.
        if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
            throw new InvalidDataException("Not an ELF file.");
        if (image[4] != 2 || image[5] != 1)
            throw new InvalidDataException($"Only ELF64 little-endian is supported (class {image[4]}, data {image[5]}).");
        ulong sectionTable = U64(image, 40);
        int sectionEntrySize = U16(image, 58), sectionCount = U16(image, 60);
        if (sectionTable == 0 || sectionCount == 0) throw new InvalidDataException("The ELF file has no section headers.");
        if (sectionEntrySize < 64) throw new InvalidDataException($"Unexpected section header size {sectionEntrySize}.");
        Check(image, sectionTable, (ulong)sectionEntrySize * (ulong)sectionCount, "section header table");

        var found = new List<int>();
        for (int s = 0; s < sectionCount; s++)
        {
            // Elf64_Shdr: sh_name u32, sh_type u32, sh_flags u64, sh_addr u64, sh_offset u64 (at 24),
            // sh_size u64 (at 32), sh_link u32 (at 40), sh_info u32 (at 44), ...
            int header = checked((int)sectionTable + s * sectionEntrySize);
            if (U32(image, header + 4) != ShtGnuVerneed) continue;
            ulong offset = U64(image, header + 24), size = U64(image, header + 32);
            uint stringSection = U32(image, header + 40), recordCount = U32(image, header + 44);
            Check(image, offset, size, ".gnu.version_r");
            if (stringSection >= sectionCount) throw new InvalidDataException($"Bad sh_link {stringSection} in .gnu.version_r.");
            int stringHeader = checked((int)sectionTable + (int)stringSection * sectionEntrySize);
            ulong stringsOffset = U64(image, stringHeader + 24), stringsSize = U64(image, stringHeader + 32);
            Check(image, stringsOffset, stringsSize, "version string table");
            var strings = image.Slice((int)stringsOffset, (int)stringsSize);

            int need = (int)offset, end = (int)(offset + size);
            for (uint r = 0; r < recordCount; r++)
            {
                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32 (16 bytes).
                if (need < (int)offset || need + 16 > end) throw new InvalidDataException("Elf64_Verneed record outside .gnu.version_r.");
                int auxCount = U16(image, need + 2);
                string file = ReadString(strings, U32(image, need + 4));
                int aux = checked(need + (int)U32(image, need + 8));
                for (int a = 0; a < auxCount; a++)
                {
                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32 (16 bytes).
                    if (aux < (int)offset || aux + 16 > end) throw new InvalidDataException("Elf64_Vernaux record outside .gnu.version_r.");
                    if (file == library && ReadString(strings, U32(image, aux + 8)) == version) found.Add(aux + 4);
                    uint nextAux = U32(image, aux + 12);
                    if (nextAux == 0) break;
                    aux = checked(aux + (int)nextAux);
                }
                uint next = U32(image, need + 12);
                if (next == 0) break;
                need = checked(need + (int)next);
            }
        }
        return found;
    }

    private static string ReadString(ReadOnlySpan<byte> strings, uint offset)
    {
        if (offset >= strings.Length) throw new InvalidDataException($"String offset {offset} outside the string table.");
        var tail = strings[(int)offset..];
        int length = tail.IndexOf((byte)0);
        if (length < 0) throw new InvalidDataException("Unterminated string in the string table.");
        return Encoding.ASCII.GetString(tail[..length]);
    }

    private static void Check(ReadOnlySpan<byte> image, ulong offset, ulong size, string what)
    {
        if (offset > (ulong)image.Length || size > (ulong)image.Length - offset)
            throw new InvalidDataException($"The {what} (offset {offset}, size {size}) lies outside the {image.Length}-byte file.");
    }

    private static ushort U16(ReadOnlySpan<byte> image, int offset) => BinaryPrimitives.ReadUInt16LittleEndian(image.Slice(offset, 2));
    private static uint U32(ReadOnlySpan<byte> image, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(image.Slice(offset, 4));
    private static ulong U64(ReadOnlySpan<byte> image, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(image.Slice(offset, 8));
}
