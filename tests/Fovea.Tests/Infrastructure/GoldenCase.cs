using Fovea.Nn;
using Fovea.Serialization;

namespace Fovea.Tests.Infrastructure;

/// <summary>
/// One PyTorch reference case from tests/golden/&lt;group&gt;/&lt;name&gt;.safetensors, written by
/// tools/golden/golden_io.py: inputs, output, upstream gradient, input and parameter gradients.
/// </summary>
public sealed class GoldenCase
{
    private readonly Dictionary<string, Tensor> entries;

    private GoldenCase(string id, Dictionary<string, Tensor> entries)
    {
        Id = id;
        this.entries = entries;
    }

    public string Id { get; }

    public static GoldenCase Load(string group, string name)
    {
        var path = Path.Combine(GoldenDirectory, group, name + ".safetensors");
        if (!File.Exists(path)) throw new FileNotFoundException($"Golden file missing: {path}. Regenerate with tools/golden/{group}.py.", path);
        return new GoldenCase($"{group}/{name}", Safetensors.Read(path));
    }

    /// <summary>tests/golden, found by walking up from the test binaries.</summary>
    public static string GoldenDirectory { get; } = FindGoldenDirectory();

    private static string FindGoldenDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "golden");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("tests/golden not found above " + AppContext.BaseDirectory);
    }

    public Tensor this[string key] => entries.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"{Id} has no entry '{key}'. Entries: {string.Join(", ", entries.Keys)}");
    public bool Has(string key) => entries.ContainsKey(key);
    public float Attribute(string name) => this["attr." + name].Item();

    /// <summary>Fresh copies of the inputs; those that PyTorch differentiated require grad.</summary>
    public Tensor[] Inputs()
    {
        var inputs = new List<Tensor>();
        for (int i = 0; Has($"in.{i}"); i++)
        {
            var x = Tensor.FromSpan(this[$"in.{i}"].ReadOnlySpan, this[$"in.{i}"].Shape);
            if (Has($"gin.{i}")) x.RequiresGrad = true;
            inputs.Add(x);
        }
        return [.. inputs];
    }

    /// <summary>The module's state dict as PyTorch had it (param.* entries).</summary>
    public Dictionary<string, Tensor> StateDict() =>
        entries.Where(kv => kv.Key.StartsWith("param.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key["param.".Length..], kv => kv.Value);

    /// <summary>Runs <paramref name="function"/> on the inputs and compares output and input gradients.</summary>
    public void Check(Func<Tensor[], Tensor> function, float relative = 1e-5f, float absolute = 1e-6f)
    {
        var inputs = Inputs();
        var output = function(inputs);
        Compare("out", output, relative, absolute);
        if (!Has("gout")) return;
        output.Backward(this["gout"]);
        for (int i = 0; i < inputs.Length; i++)
            if (Has($"gin.{i}"))
                Compare($"gin.{i}", inputs[i].Grad ?? throw new Xunit.Sdk.XunitException($"{Id}: input {i} received no gradient."), relative, absolute);
    }

    /// <summary>Loads PyTorch's parameters into <paramref name="module"/>, runs it on in.0, and compares output,
    /// input gradient, parameter gradients and (after the pass) buffers such as running statistics.</summary>
    public void CheckModule(Module module, float relative = 1e-5f, float absolute = 1e-6f, bool loadAfterForwardBuffers = false)
    {
        var state = StateDict();
        if (!loadAfterForwardBuffers)
        {
            // Buffers in the file are PyTorch's values after the forward; parameters are unchanged by it.
            var before = module.StateDict();
            foreach (var (name, _) in module.NamedBuffers()) state[name] = before[name];
        }
        module.LoadStateDict(state);
        Check(inputs => module.Forward(inputs[0]), relative, absolute);
        foreach (var (name, parameter) in module.NamedParameters())
            if (Has("gparam." + name))
                Compare("gparam." + name, parameter.Grad ?? throw new Xunit.Sdk.XunitException($"{Id}: parameter {name} received no gradient."), relative, absolute);
        foreach (var (name, buffer) in module.NamedBuffers())
            if (Has("param." + name))
                Compare("param." + name, buffer, relative, absolute);
    }

    public void Compare(string key, Tensor actual, float relative = 1e-5f, float absolute = 1e-6f) =>
        TensorAssert.Close(this[key], actual, relative, absolute, $"{Id} [{key}]");
}
