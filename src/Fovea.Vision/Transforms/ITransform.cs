using Fovea.Vision.Datasets;

namespace Fovea.Vision.Transforms;

/// <summary>
/// One step of an image pipeline (a torchvision transform) on float32 (C, H, W) images. Random
/// transforms draw only from the generator they are given, so a seeded pipeline is reproducible.
/// </summary>
public interface ITransform
{
    /// <summary>The transformed image (a new one, or <paramref name="image"/> itself when nothing changes).</summary>
    Image Apply(Image image, Generator random);
}

/// <summary>Several transforms applied in order (torchvision's Compose).</summary>
public sealed class Compose : ITransform
{
    private readonly ITransform[] transforms;

    public Compose(params ITransform[] transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        for (int i = 0; i < transforms.Length; i++)
            if (transforms[i] is null) throw new ArgumentNullException(nameof(transforms), $"transform {i} is null.");
        this.transforms = (ITransform[])transforms.Clone();
    }

    public IReadOnlyList<ITransform> Transforms => transforms;

    public Image Apply(Image image, Generator random)
    {
        foreach (var transform in transforms) image = transform.Apply(image, random);
        return image;
    }

    public override string ToString() => $"Compose({string.Join(", ", transforms.Select(t => t.ToString()))})";
}
