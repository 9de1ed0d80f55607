using System.Collections.Concurrent;
using Fovea.Vision.Transforms;

namespace Fovea.Vision.Datasets;

/// <summary>
/// Where a <see cref="DataLoader"/> stands, for checkpoints: the shuffle generator's state at the start of the
/// current epoch (or, between epochs, its current state), the next batch of that epoch (0 between epochs) and
/// the augmentation generator's state after the last batch handed out.
/// </summary>
public sealed record DataLoaderState(ulong[] ShuffleState, int NextBatch, ulong[] AugmentationState);

/// <summary>
/// Mini-batches from an <see cref="IImageDataset"/> (torch.utils.data.DataLoader): a fresh seeded permutation
/// per epoch when shuffling, optional transforms, optional dropping of the last incomplete batch, and a
/// background producer that prepares up to <see cref="Prefetch"/> batches ahead while the caller computes.
/// <para>The order of items and every random augmentation depend only on the seed and the position, never on
/// timing: one producer builds batches in order, and the state the loader reports (<see cref="GetState"/>)
/// is that after the last batch the caller received, however far the producer has run ahead. Restoring it
/// (<see cref="SetState"/>) continues with exactly the batches that would have followed.</para>
/// </summary>
public sealed class DataLoader
{
    private readonly Generator shuffleGenerator;
    private readonly Generator augmentationGenerator;
    private ulong[] epochShuffleState;
    private ulong[] augmentationState;
    private int nextBatch;
    private int[]? order;   // the current epoch's item order; null between epochs or after SetState

    /// <param name="seed">Seeds the shuffle generator (seed) and the augmentation generator (a value derived from it).</param>
    /// <param name="prefetch">Batches prepared ahead on a background thread; 0 builds each batch on the caller's thread.</param>
    public DataLoader(IImageDataset dataset, int batchSize, bool shuffle = false, bool dropLast = false,
        ITransform? transform = null, ulong seed = 0, int prefetch = 2)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be > 0, got {batchSize}.");
        if (prefetch < 0) throw new ArgumentOutOfRangeException(nameof(prefetch), $"prefetch must be >= 0, got {prefetch}.");
        (Dataset, BatchSize, Shuffle, DropLast, Transform, Prefetch) = (dataset, batchSize, shuffle, dropLast, transform, prefetch);
        shuffleGenerator = new Generator(seed);
        augmentationGenerator = new Generator(seed ^ 0xA5A5_5A5A_0F0F_F0F0UL);
        epochShuffleState = shuffleGenerator.GetState();
        augmentationState = augmentationGenerator.GetState();
    }

    public IImageDataset Dataset { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public bool DropLast { get; }
    public ITransform? Transform { get; }
    public int Prefetch { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchCount => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>Items per epoch (fewer than the dataset's with <see cref="DropLast"/>).</summary>
    public int ItemCount => DropLast ? BatchCount * BatchSize : Dataset.Count;

    /// <summary>The next batch of the current epoch that <see cref="NextEpoch"/> will yield (0 at an epoch boundary).</summary>
    public int NextBatch => nextBatch;

    public DataLoaderState GetState() =>
        new(order is null && nextBatch == 0 ? shuffleGenerator.GetState() : (ulong[])epochShuffleState.Clone(), nextBatch, (ulong[])augmentationState.Clone());

    public void SetState(DataLoaderState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.NextBatch < 0 || state.NextBatch >= Math.Max(1, BatchCount))
            throw new ArgumentOutOfRangeException(nameof(state), $"next batch {state.NextBatch} is out of range for {BatchCount} batches per epoch.");
        var probe = new Generator(0);
        probe.SetState(state.ShuffleState);       // validates both states before anything changes
        probe.SetState(state.AugmentationState);
        shuffleGenerator.SetState(state.ShuffleState);
        epochShuffleState = (ulong[])state.ShuffleState.Clone();
        augmentationState = (ulong[])state.AugmentationState.Clone();
        augmentationGenerator.SetState(augmentationState);
        nextBatch = state.NextBatch;
        order = null;
    }

    /// <summary>
    /// The remaining batches of the current epoch: all of a new epoch (drawing its order), or, after a
    /// <see cref="SetState"/> or an enumeration stopped early, those after the last one handed out.
    /// </summary>
    public IEnumerable<MiniBatch> NextEpoch()
    {
        if (order is null)
        {
            if (nextBatch == 0) epochShuffleState = shuffleGenerator.GetState();
            else shuffleGenerator.SetState(epochShuffleState);   // mid-epoch after SetState: redraw the same order
            order = Shuffle ? shuffleGenerator.Permutation(Dataset.Count) : [.. Enumerable.Range(0, Dataset.Count)];
        }
        return Prefetch == 0 ? Synchronous(order) : Prefetched(order);
    }

    private IEnumerable<MiniBatch> Synchronous(int[] epochOrder)
    {
        augmentationGenerator.SetState(augmentationState);
        for (int index = nextBatch, count = BatchCount; index < count; index++)
        {
            var batch = Build(epochOrder, index);
            Handed(batch.Index, batch.AugmentationState);
            yield return batch.Batch;
        }
    }

    private IEnumerable<MiniBatch> Prefetched(int[] epochOrder)
    {
        using var queue = new BlockingCollection<Built>(Prefetch);
        using var stop = new CancellationTokenSource();
        int first = nextBatch, count = BatchCount;
        augmentationGenerator.SetState(augmentationState);
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                for (int b = first; b < count && !stop.IsCancellationRequested; b++)
                    queue.Add(Build(epochOrder, b), stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            finally { queue.CompleteAdding(); }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable())
            {
                Handed(batch.Index, batch.AugmentationState);
                yield return batch.Batch;
            }
            producer.GetAwaiter().GetResult();   // rethrows a failure of the producer (a corrupt item, a bad transform)
        }
        finally
        {
            stop.Cancel();
            try { producer.Wait(); } catch (AggregateException) { }   // already reported, or the caller is leaving anyway
        }
    }

    /// <summary>Records that batch <paramref name="index"/> reached the caller.</summary>
    private void Handed(int index, ulong[] augmentationAfter)
    {
        augmentationState = augmentationAfter;
        nextBatch = index + 1;
        if (nextBatch >= BatchCount)
        {
            nextBatch = 0;
            order = null;
        }
    }

    private readonly record struct Built(MiniBatch Batch, int Index, ulong[] AugmentationState);

    /// <summary>Reads, transforms and stacks the items of batch <paramref name="index"/> (runs on the producer thread).</summary>
    private Built Build(int[] epochOrder, int index)
    {
        int start = index * BatchSize, size = Math.Min(BatchSize, epochOrder.Length - start);
        float[]? pixels = null;
        Image? first = null;
        var labels = new int[size];
        var targets = new float[size];
        for (int i = 0; i < size; i++)
        {
            int item = epochOrder[start + i];
            var image = Dataset.GetImage(item);
            if (Transform is not null) image = Transform.Apply(image, augmentationGenerator);
            first ??= image;
            if (image.Channels != first.Channels || image.Height != first.Height || image.Width != first.Width)
                throw new InvalidOperationException($"Item {item} is {image.DescribeShape()} but item {epochOrder[start]} of the same batch is {first.DescribeShape()}; add a Resize transform so that every image has one size.");
            pixels ??= new float[(long)size * image.Pixels.Length];
            image.Pixels.CopyTo(pixels, (long)i * image.Pixels.Length);
            labels[i] = Dataset.GetLabel(item);
            targets[i] = labels[i];
        }
        var images = Tensor.FromSpan(pixels, new Shape(size, first!.Channels, first.Height, first.Width));
        return new Built(new MiniBatch(images, Tensor.FromSpan(targets, new Shape(size)), labels), index, augmentationGenerator.GetState());
    }
}
