namespace Fovea.Tests.Infrastructure;

/// <summary>
/// One op described once (PyTorch's OpInfo idea): how to apply it, which input shapes to
/// gradient-check it on, and which golden file holds PyTorch's result for it. The tests of a
/// catalogue (<see cref="OpCaseTests{TCatalogue}"/>) are derived from these descriptions.
/// </summary>
/// <param name="Name">Unique within the catalogue; also the golden file name.</param>
/// <param name="Apply">The op on its inputs (the golden inputs, or random ones for the gradient check).</param>
/// <param name="InputShapes">Shapes of random inputs for the gradient check; null skips it (then say why in <paramref name="Note"/>).</param>
/// <param name="HasGolden">Whether tests/golden/&lt;group&gt;/&lt;Name&gt;.safetensors exists for it.</param>
/// <param name="MakeInputs">Custom inputs for the gradient check (e.g. away from kinks), given a seed.</param>
public sealed record OpCase(
    string Name,
    Func<Tensor[], Tensor> Apply,
    int[][]? InputShapes,
    bool HasGolden = true,
    Func<int, Tensor[]>? MakeInputs = null,
    float GoldenRelative = 1e-5f,
    float GoldenAbsolute = 1e-6f,
    float GradTolerance = 1e-2f,
    string Note = "")
{
    public override string ToString() => Name;
}

/// <summary>A set of op descriptions whose golden files live in tests/golden/&lt;Group&gt;/.</summary>
public interface IOpCatalogue
{
    static abstract string Group { get; }
    static abstract IReadOnlyList<OpCase> Cases { get; }
}

/// <summary>Derives a gradient check and a PyTorch golden test for every case of a catalogue.</summary>
public abstract class OpCaseTests<TCatalogue> where TCatalogue : IOpCatalogue
{
    public static TheoryData<string> GradientCases()
    {
        var data = new TheoryData<string>();
        foreach (var c in TCatalogue.Cases) if (c.InputShapes is not null || c.MakeInputs is not null) data.Add(c.Name);
        return data;
    }

    public static TheoryData<string> GoldenCases()
    {
        var data = new TheoryData<string>();
        foreach (var c in TCatalogue.Cases) if (c.HasGolden) data.Add(c.Name);
        return data;
    }

    private static OpCase Find(string name) => TCatalogue.Cases.Single(c => c.Name == name);

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void GradientMatchesFiniteDifferences(string name)
    {
        var op = Find(name);
        var inputs = op.MakeInputs?.Invoke(11) ?? GradCheck.RandomInputs(11, op.InputShapes!);
        GradCheck.Check(op.Apply, inputs, relative: op.GradTolerance, absolute: op.GradTolerance, label: $"{TCatalogue.Group}/{name}");
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void MatchesPyTorch(string name)
    {
        var op = Find(name);
        GoldenCase.Load(TCatalogue.Group, name).Check(op.Apply, op.GoldenRelative, op.GoldenAbsolute);
    }
}
