namespace Fovea;

/// <summary>
/// A bounded, thread-safe pool of tensor storage (float arrays of an exact length), fed by the backward
/// pass: once the engine knows that a gradient buffer it created is no longer referenced, the buffer comes
/// here and the next tensor of that size (a gradient later in the same pass, an activation of the next
/// forward pass) reuses it instead of allocating a new large-object-heap array. Only arrays of at least
/// <see cref="MinimumLength"/> elements are pooled; smaller ones are cheap for the GC.
/// </summary>
public static class StoragePool
{
    /// <summary>Arrays shorter than this (64 KiB of floats) are never pooled.</summary>
    public const int MinimumLength = 16 * 1024;

    private static readonly object Gate = new();
    // Exact length -> arrays of that length, most recently returned last.
    private static readonly Dictionary<int, Stack<float[]>> Buckets = [];
    // Every array in Buckets: returning one twice would hand it to two owners.
    private static readonly HashSet<float[]> Pooled = new(ReferenceEqualityComparer.Instance);
    private static long pooledBytes;
    private static long capacityBytes = 1L << 30;
    private static bool enabled = true;

    /// <summary>
    /// The most bytes the pool keeps (default 1 GiB); a returned array that would exceed it is left to the
    /// GC. Lowering it drops arrays until the pool fits.
    /// </summary>
    public static long CapacityBytes
    {
        get { lock (Gate) return capacityBytes; }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(CapacityBytes));
            lock (Gate)
            {
                capacityBytes = value;
                TrimTo(value);
            }
        }
    }

    /// <summary>Whether tensors draw from and return to the pool (default true). Turning it off empties the pool.</summary>
    public static bool Enabled
    {
        get => Volatile.Read(ref enabled);
        set
        {
            Volatile.Write(ref enabled, value);
            if (!value) Clear();
        }
    }

    /// <summary>For tests: fill every returned array with NaN, so that a use after recycling shows in the results.</summary>
    internal static bool PoisonReturned { get; set; }

    /// <summary>Bytes held by the pool now.</summary>
    public static long PooledBytes { get { lock (Gate) return pooledBytes; } }

    /// <summary>Drops every pooled array (the GC reclaims them).</summary>
    public static void Clear()
    {
        lock (Gate) TrimTo(0);
    }

    /// <summary>A pooled array of exactly <paramref name="length"/> elements (contents undefined), or a new one.</summary>
    internal static float[] Rent(int length)
    {
        if (length >= MinimumLength && Volatile.Read(ref enabled))
            lock (Gate)
                if (Buckets.TryGetValue(length, out var bucket) && bucket.Count > 0)
                {
                    pooledBytes -= (long)length * sizeof(float);
                    var array = bucket.Pop();
                    Pooled.Remove(array);
                    return array;
                }
        return GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>
    /// Gives <paramref name="array"/> back. The caller guarantees that nothing references it any more:
    /// a pooled array handed out again while still in use would corrupt both users.
    /// </summary>
    internal static void Return(float[] array)
    {
        if (array.Length < MinimumLength || !Volatile.Read(ref enabled)) return;
        long bytes = (long)array.Length * sizeof(float);
        if (PoisonReturned) array.AsSpan().Fill(float.NaN);
        lock (Gate)
        {
            if (pooledBytes + bytes > capacityBytes || !Pooled.Add(array)) return;
            if (!Buckets.TryGetValue(array.Length, out var bucket)) Buckets[array.Length] = bucket = new Stack<float[]>();
            bucket.Push(array);
            pooledBytes += bytes;
        }
    }

    private static void TrimTo(long limit)
    {
        foreach (var bucket in Buckets.Values)
            while (pooledBytes > limit && bucket.TryPop(out var array))
            {
                pooledBytes -= (long)array.Length * sizeof(float);
                Pooled.Remove(array);
            }
    }
}
