using Fovea.Nn;
using static Fovea.Tests.Nn.FusionTestSupport;

namespace Fovea.Tests.Nn;

/// <summary>
/// Training-mode (and every non-inference) fusion of batch norm → [+ residual] → [ReLU] in <see cref="Sequential"/> and
/// <see cref="LayerFusion"/>: one F.BatchNormActivation op, bit-identical to the modules one by one in values, gradients
/// and running statistics (every batch norm mode: momentum, cumulative average, untracked statistics, eval with
/// gradients); hooks on the batch norm or the ReLU keep their module out of the fusion and still fire.
/// </summary>
public sealed class BatchNormReluFusionTests
{
    public static TheoryData<string> Models() => new()
    {
        "conv, bn, relu", "conv, bn (no relu)", "linear, bn1d, relu", "bn, relu first", "cumulative average", "untracked statistics",
        "conv1d, bn1d, relu",
    };

    private static (Sequential Model, int[] InputShape) Create(string name, Generator random) => name switch
    {
        "conv, bn, relu" => (new Sequential(new Conv2d(3, 6, 3, padding: 1, generator: random), new BatchNorm2d(6), new ReLU(),
            new Conv2d(6, 4, 3, bias: false, generator: random), new BatchNorm2d(4, momentum: 0.3f), new ReLU()), [3, 3, 8, 7]),
        "conv, bn (no relu)" => (new Sequential(new Conv2d(3, 6, 1, generator: random), new BatchNorm2d(6)), [2, 3, 5, 5]),
        "linear, bn1d, relu" => (new Sequential(new Linear(5, 8, generator: random), new BatchNorm1d(8), new ReLU(), new Linear(8, 3, generator: random)), [6, 5]),
        "bn, relu first" => (new Sequential(new BatchNorm2d(3, affine: false), new ReLU(), new Conv2d(3, 2, 3, generator: random)), [2, 3, 6, 6]),
        "cumulative average" => (new Sequential(new Conv2d(3, 5, 3, generator: random), new BatchNorm2d(5, momentum: null), new ReLU()), [2, 3, 7, 6]),
        "untracked statistics" => (new Sequential(new Conv2d(3, 5, 3, generator: random), new BatchNorm2d(5, trackRunningStats: false), new ReLU()), [2, 3, 7, 6]),
        _ => (new Sequential(new Conv1d(3, 5, 3, generator: random), new BatchNorm1d(5, eps: 1e-3f), new ReLU()), [4, 3, 9]),
    };

    /// <summary>The op names of the graph behind <paramref name="output"/>.</summary>
    internal static List<string> OpNames(Tensor output)
    {
        var (names, seen, stack) = (new List<string>(), new HashSet<Tensor>(ReferenceEqualityComparer.Instance), new Stack<Tensor>([output]));
        while (stack.TryPop(out var tensor))
            if (seen.Add(tensor) && tensor.GradFn is { } node)
            {
                names.Add(node.OpName);
                foreach (var input in node.Inputs) stack.Push(input);
            }
        return names;
    }

    private static void AssertSameParametersAndBuffers(Module expected, Module actual)
    {
        foreach (var ((name, want), (_, got)) in expected.NamedParameters().Zip(actual.NamedParameters()))
            Assert.True(want.Grad!.ToArray().SequenceEqual(got.Grad!.ToArray()), name + " gradient");
        foreach (var ((name, want), (_, got)) in expected.NamedBuffers().Zip(actual.NamedBuffers()))
            Assert.True(want.ToArray().SequenceEqual(got.ToArray()), name);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void TrainingStepsEqualTheModulesOneByOne(string name)
    {
        var (model, inputShape) = Create(name, new Generator(101));
        var reference = Create(name, new Generator(101)).Model;
        using var hooks = Unfused(reference);
        for (int step = 0; step < 2; step++)
        {
            var x = Tensor.Randn(new Shape(inputShape), new Generator(102 + (ulong)step)).RequiresGradient();
            var xReference = x.Detach().Clone().RequiresGradient();
            var (output, expected) = (model.Forward(x), reference.Forward(xReference));
            AssertIdentical(expected, output);
            Assert.Contains(OpNames(output), op => op.StartsWith("batch_norm", StringComparison.Ordinal));
            Assert.DoesNotContain(OpNames(expected), op => op.StartsWith("batch_norm_", StringComparison.Ordinal));
            if (name != "conv, bn (no relu)")
            {
                Assert.DoesNotContain("relu", OpNames(output));      // every ReLU ran inside the batch norm's op
                Assert.Contains("batch_norm_relu", OpNames(output));
            }

            var gradOutput = Tensor.Randn(output.Shape, new Generator(104));
            output.Backward(gradOutput);
            expected.Backward(gradOutput);
            AssertIdentical(xReference.Grad!, x.Grad!);
            AssertSameParametersAndBuffers(reference, model);
            foreach (var parameter in model.Parameters().Concat(reference.Parameters())) parameter.Grad = null;
        }

        // Eval with gradients (the inference op does not apply): running statistics, or the batch's when untracked.
        model.Eval();
        reference.Eval();
        var evalInput = Tensor.Randn(new Shape(inputShape), new Generator(105));
        var evalOutput = model.Forward(evalInput);
        AssertIdentical(reference.Forward(evalInput), evalOutput);
        evalOutput.Backward(Tensor.OnesLike(evalOutput));
        reference.Forward(evalInput).Backward(Tensor.OnesLike(evalOutput));
        AssertSameParametersAndBuffers(reference, model);
    }

    [Fact]
    public void HookedReluRunsOnItsOwnAfterTheFusedBatchNorm()
    {
        var (model, inputShape) = Create("linear, bn1d, relu", new Generator(106));
        var reference = Create("linear, bn1d, relu", new Generator(106)).Model;
        var x = Tensor.Randn(new Shape(inputShape), new Generator(107));
        var seen = new List<Tensor>();
        using var hook = model[2].RegisterForwardHook((_, input, output) => { seen.Add(input); seen.Add(output); });
        using var hooks = Unfused(reference);
        var output = model.Forward(x);
        Assert.Equal(2, seen.Count);
        Assert.Contains(seen[0].ToArray(), v => v < 0f);                 // the batch norm's output, before the ReLU
        Assert.Equal("batch_norm", seen[0].GradFn!.OpName);              // the batch norm ran as its op (no ReLU inside)
        var expected = reference.Forward(x);
        AssertIdentical(expected, output);
        output.Sum().Backward();
        expected.Sum().Backward();
        AssertSameParametersAndBuffers(reference, model);
    }

    [Fact]
    public void HookedBatchNormIsNotFusedAndItsHookSeesItsOutput()
    {
        var (model, inputShape) = Create("conv, bn, relu", new Generator(108));
        var x = Tensor.Randn(new Shape(inputShape), new Generator(109));
        Tensor? seen = null;
        using var hook = model[1].RegisterForwardHook((_, _, output) => seen = output);
        var output = model.Forward(x);
        Assert.NotNull(seen);
        Assert.Contains(seen.ToArray(), v => v < 0f);
        var names = OpNames(output);
        Assert.Contains("relu", names);                  // the hooked batch norm's ReLU runs on its own
        Assert.Contains("batch_norm_relu", names);       // the second pair (no hooks) still fuses
    }

    [Fact]
    public void LayerFusionFallsBackForAResidualOfAnotherShape()
    {
        var random = new Generator(110);
        var (convolution, norm, relu) = (new Conv2d(3, 4, 3, padding: 1, generator: random), new BatchNorm2d(4), new ReLU());
        var x = Tensor.Randn(new Shape(2, 3, 5, 5), random);
        var residual = Tensor.Randn(new Shape(1, 4, 1, 1), random).RequiresGradient();  // broadcast over the batch and positions
        var output = LayerFusion.ConvBatchNorm(convolution, norm, x, residual, relu);
        Assert.Equal(new Shape(2, 4, 5, 5), output.Shape);
        Assert.Equal("relu", output.GradFn!.OpName);
        var expected = F.Relu(F.BatchNorm(F.Conv2d(x, convolution.Weight, convolution.Bias, padding: 1), null, null, norm.Weight, norm.Bias, training: true) + residual);
        AssertIdentical(expected, output);
        Assert.Equal(1f, norm.NumBatchesTracked!.Item());
    }

    [Fact]
    public void ResidualFusionInLayerFusionMatchesTheModules()
    {
        var random = new Generator(111);
        var (convolution, norm, relu) = (new Conv2d(3, 4, 3, padding: 1, generator: random), new BatchNorm2d(4), new ReLU());
        var x = Tensor.Randn(new Shape(2, 3, 5, 5), random).RequiresGradient();
        var residual = Tensor.Randn(new Shape(2, 4, 5, 5), random).RequiresGradient();
        var output = LayerFusion.ConvBatchNorm(convolution, norm, x, residual, relu);
        Assert.Equal("batch_norm_add_relu", output.GradFn!.OpName);
        var runningMean = norm.RunningMean!.ToArray();
        norm.ResetRunningStats();
        var expected = relu.Forward(norm.Forward(convolution.Forward(x)) + residual);
        Assert.Equal("relu", expected.GradFn!.OpName);
        AssertIdentical(expected, output);
        Assert.Equal(runningMean, norm.RunningMean!.ToArray());
        var gradOutput = Tensor.Randn(output.Shape, random);
        output.Backward(gradOutput);
        var (gradX, gradResidual) = (x.Grad!.ToArray(), residual.Grad!.ToArray());
        var parameterGradients = convolution.Parameters().Concat(norm.Parameters()).Select(p => p.Grad!.ToArray()).ToList();
        x.Grad = residual.Grad = null;
        foreach (var parameter in convolution.Parameters().Concat(norm.Parameters())) parameter.Grad = null;
        expected.Backward(gradOutput);
        Assert.Equal(x.Grad!.ToArray(), gradX);
        Assert.Equal(residual.Grad!.ToArray(), gradResidual);
        foreach (var (parameter, gradient) in convolution.Parameters().Concat(norm.Parameters()).Zip(parameterGradients))
            Assert.Equal(parameter.Grad!.ToArray(), gradient);
    }
}
