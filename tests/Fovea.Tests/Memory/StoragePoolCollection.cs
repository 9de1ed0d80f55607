namespace Fovea.Tests.Memory;

/// <summary>Tests that switch the global StoragePool (Enabled, poisoning) run one at a time and restore it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StoragePoolCollection
{
    public const string Name = "StoragePool";
}
