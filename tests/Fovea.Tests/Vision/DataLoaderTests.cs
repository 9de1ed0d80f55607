using Fovea.Vision.Datasets;
using Fovea.Vision.Transforms;

namespace Fovea.Tests.Vision;

public sealed class DataLoaderTests
{
    /// <summary>Item i is a 1 x 2 x 2 image filled with i, labelled i mod 3.</summary>
    internal static ByteImageDataset Numbered(int count) =>
        new([.. Enumerable.Range(0, count).SelectMany(i => Enumerable.Repeat((byte)i, 4))], 1, 2, 2,
            [.. Enumerable.Range(0, count).Select(i => i % 3)], ["a", "b", "c"]);

    private static int ItemOf(MiniBatch batch, int row) => (int)MathF.Round(batch.Images.ReadOnlySpan[row * 4] * 255f);

    private static List<int[]> Items(IEnumerable<MiniBatch> batches) =>
        [.. batches.Select(b => Enumerable.Range(0, b.Labels.Length).Select(r => ItemOf(b, r)).ToArray())];

    [Fact]
    public void BatchesInOrderWithAPartialLastBatchUnlessDropped()
    {
        var data = Numbered(10);
        var loader = new DataLoader(data, 4);
        Assert.Equal(3, loader.BatchCount);
        var batches = loader.NextEpoch().ToList();
        Assert.Equal([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], Items(batches));
        Assert.Equal(new Shape(4, 1, 2, 2), batches[0].Images.Shape);
        Assert.Equal([2, 0], batches[2].Labels);
        Assert.Equal([2f, 0f], batches[2].Targets.ToArray());
        var dropping = new DataLoader(data, 4, dropLast: true);
        Assert.Equal((2, 8), (dropping.BatchCount, dropping.ItemCount));
        Assert.Equal([[0, 1, 2, 3], [4, 5, 6, 7]], Items(dropping.NextEpoch()));
    }

    [Fact]
    public void ShufflingIsSeededFreshEachEpochAndCoversEveryItem()
    {
        var data = Numbered(50);
        List<int[]> Epochs(ulong seed)
        {
            var loader = new DataLoader(data, 8, shuffle: true, seed: seed);
            return [.. Enumerable.Range(0, 3).Select(_ => Items(loader.NextEpoch()).SelectMany(b => b).ToArray())];
        }
        var first = Epochs(7);
        Assert.Equal(first, Epochs(7));
        Assert.NotEqual(first, Epochs(8));
        Assert.NotEqual(first[0], first[1]);
        Assert.All(first, order => Assert.Equal(Enumerable.Range(0, 50), order.Order()));
        // The same permutation as the generator draws directly (the demo's order).
        Assert.Equal(new Generator(7).Permutation(50), first[0]);
    }

    [Fact]
    public void PrefetchingChangesNothing()
    {
        var data = Numbered(37);
        var augment = new Compose(new RandomCrop(2, padding: 1), new RandomHorizontalFlip());
        float[][] Run(int prefetch)
        {
            var loader = new DataLoader(data, 5, shuffle: true, transform: augment, seed: 3, prefetch: prefetch);
            return [.. Enumerable.Range(0, 3).SelectMany(_ => loader.NextEpoch()).Select(b => b.Images.ToArray())];
        }
        var synchronous = Run(0);
        Assert.Equal(synchronous, Run(1));
        Assert.Equal(synchronous, Run(4));
    }

    [Fact]
    public void StateRestoresMidEpochAndBetweenEpochs()
    {
        var data = Numbered(23);
        var augment = new RandomCrop(2, padding: 1);
        DataLoader NewLoader() => new(data, 4, shuffle: true, transform: augment, seed: 11, prefetch: 2);

        var reference = NewLoader();
        var all = Enumerable.Range(0, 3).SelectMany(_ => reference.NextEpoch()).Select(b => b.Images.ToArray()).ToList();
        Assert.Equal(18, all.Count);

        foreach (int stopAfter in new[] { 1, 4, 6, 8, 13 })
        {
            var interrupted = NewLoader();
            var seen = new List<float[]>();
            DataLoaderState? state = null;
            while (seen.Count < stopAfter)
                foreach (var batch in interrupted.NextEpoch())
                {
                    seen.Add(batch.Images.ToArray());
                    if (seen.Count == stopAfter) { state = interrupted.GetState(); break; }   // the producer is ahead by now
                }
            var resumed = NewLoader();
            resumed.SetState(state!);
            while (seen.Count < all.Count) seen.AddRange(resumed.NextEpoch().Select(b => b.Images.ToArray()));
            Assert.Equal(all, seen);
        }
    }

    [Fact]
    public void AnEnumerationStoppedEarlyContinuesWhereItStopped()
    {
        var loader = new DataLoader(Numbered(12), 3);
        Assert.Equal([[0, 1, 2]], Items(loader.NextEpoch().Take(1)));
        Assert.Equal(1, loader.NextBatch);
        Assert.Equal([[3, 4, 5], [6, 7, 8], [9, 10, 11]], Items(loader.NextEpoch()));
        Assert.Equal(0, loader.NextBatch);
    }

    private sealed class Failing(int badIndex) : IImageDataset
    {
        public int Count => 10;
        public IReadOnlyList<string> ClassNames => ["x"];
        public int GetLabel(int index) => 0;
        public Image GetImage(int index) => index == badIndex ? throw new InvalidDataException($"item {index} is broken") : new Image([0f], 1, 1, 1);
    }

    [Fact]
    public void AProducerFailureReachesTheCaller()
    {
        var loader = new DataLoader(new Failing(6), 2, prefetch: 2);
        var received = new List<MiniBatch>();
        var error = Assert.Throws<InvalidDataException>(() => { foreach (var batch in loader.NextEpoch()) received.Add(batch); });
        Assert.Equal("item 6 is broken", error.Message);
        Assert.Equal(3, received.Count);
    }

    [Fact]
    public void ImagesOfDifferentSizesInOneBatchAreRefused()
    {
        var data = new LabeledImages(Tensor.Zeros(2, 1, 2, 2), [0, 0], 1);
        var sizes = new DataLoader(data, 2, transform: new Mixed(), prefetch: 0);
        var error = Assert.Throws<InvalidOperationException>(() => sizes.NextEpoch().ToList());
        Assert.Contains("add a Resize transform", error.Message);
    }

    private sealed class Mixed : ITransform
    {
        private int calls;
        public Image Apply(Image image, Generator random) => calls++ == 0 ? image : Resize.Bilinear(image, 3, 3);
    }

    [Fact]
    public void RejectsBadArgumentsAndStates()
    {
        var data = Numbered(5);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(data, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(data, 2, prefetch: -1));
        var loader = new DataLoader(data, 2);
        var state = loader.GetState();
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.SetState(state with { NextBatch = 3 }));
        Assert.Throws<ArgumentException>(() => loader.SetState(state with { AugmentationState = [1, 2] }));
    }
}
