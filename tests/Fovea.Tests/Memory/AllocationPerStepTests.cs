using Fovea.Optim;
using Xunit.Abstractions;

namespace Fovea.Tests.Memory;

/// <summary>
/// Steady-state allocation of a training step (steps 3 to 6, after the pool has filled), counted in bytes
/// on the test's thread with GC.GetAllocatedBytesForCurrentThread: an allocation count, not a timing.
/// </summary>
[Collection(StoragePoolCollection.Name)]
public sealed class AllocationPerStepTests(ITestOutputHelper output)
{
    private static long BytesPerSteadyStep(bool pool, bool scoped)
    {
        bool saved = StoragePool.Enabled;
        StoragePool.Enabled = pool;
        try
        {
            var net = new SmallResidualNet();
            var optimizer = new Sgd(net.Parameters, lr: 0.05f, momentum: 0.9f);
            for (int i = 0; i < 2; i++) net.Step(optimizer, scoped);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 4; i++) net.Step(optimizer, scoped);
            return (GC.GetAllocatedBytesForCurrentThread() - before) / 4;
        }
        finally { StoragePool.Enabled = saved; }
    }

    [Fact]
    public void BackwardRecyclingCutsAllocationPerStep()
    {
        long without = BytesPerSteadyStep(pool: false, scoped: false);
        long with = BytesPerSteadyStep(pool: true, scoped: false);
        output.WriteLine($"bytes per step: pool off {without:N0}, pool on {with:N0}");
        // Without a scope only the gradients are recycled; the activations still come from the GC.
        Assert.True(with < without * 6 / 10, $"pool on: {with:N0} bytes per step, pool off: {without:N0}");
    }

    [Fact]
    public void ScopedStepAllocatesNoLargeArrays()
    {
        long without = BytesPerSteadyStep(pool: false, scoped: false);
        long scoped = BytesPerSteadyStep(pool: true, scoped: true);
        output.WriteLine($"bytes per step: unpooled {without:N0}, scoped {scoped:N0}");
        // One activation of the net is 16·32·32·2 floats = 128 KiB; a scoped step allocates less than two of
        // them in all (about 160 KiB measured: tensor headers, graph nodes, closures and the arrays below
        // StoragePool.MinimumLength), against about 2.8 MB unpooled.
        Assert.True(scoped < 256 * 1024 && scoped < without / 10, $"scoped step: {scoped:N0} bytes per step (unpooled: {without:N0})");
    }
}
