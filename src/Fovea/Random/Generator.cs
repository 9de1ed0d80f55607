namespace Fovea;

/// <summary>
/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64), so that every
/// random tensor and every initialisation is reproducible from one seed.
/// Not thread-safe: give each thread its own generator.
/// </summary>
public sealed class Generator
{
    private ulong s0, s1, s2, s3;
    private double? spareNormal;

    public Generator(ulong seed) => Seed(seed);

    /// <summary>The process-wide default generator, used when no generator is passed.</summary>
    public static Generator Default { get; private set; } = new(0x5EEDF0FEAUL);

    /// <summary>Reseeds the default generator (torch.manual_seed).</summary>
    public static void ManualSeed(ulong seed) => Default = new Generator(seed);

    public void Seed(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
        spareNormal = null;
    }

    /// <summary>The full state, for checkpoints that resume bit for bit.</summary>
    public ulong[] GetState()
    {
        var spare = spareNormal;   // read once: the default generator may be in use on another thread
        return [s0, s1, s2, s3, spare.HasValue ? 1UL : 0UL, spare.HasValue ? (ulong)BitConverter.DoubleToInt64Bits(spare.Value) : 0UL];
    }

    public void SetState(ulong[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Length != 6) throw new ArgumentException($"Generator state must have 6 words, got {state.Length}.", nameof(state));
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3]);
        spareNormal = state[4] != 0 ? BitConverter.Int64BitsToDouble((long)state[5]) : null;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform float in [0, 1).</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform integer in [0, maxExclusive).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), $"maxExclusive must be > 0, got {maxExclusive}.");
        return (int)((NextUInt64() >> 1) % (ulong)maxExclusive);
    }

    /// <summary>Standard normal sample (Box-Muller, both values used).</summary>
    public double NextNormal()
    {
        if (spareNormal is double spare) { spareNormal = null; return spare; }
        double u1;
        do { u1 = NextDouble(); } while (u1 <= double.Epsilon);
        double u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        spareNormal = radius * Math.Sin(2 * Math.PI * u2);
        return radius * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Fisher-Yates shuffle of 0..count-1.</summary>
    public int[] Permutation(int count)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        for (int i = count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
