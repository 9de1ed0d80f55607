using Fovea.Tests.Infrastructure;

namespace Fovea.Tests.Ops;

/// <summary>Sum/mean/var/std over dims, max/min with indices, argmax/argmin (tools/golden/tensor_ops.py).</summary>
public sealed class ReductionOpTests : OpCaseTests<ReductionOpTests>, IOpCatalogue
{
    public static string Group => "tensor_ops";

    public static IReadOnlyList<OpCase> Cases { get; } =
    [
        new("sum_dim1", x => x[0].Sum(1), [[3, 5, 4]]),
        new("sum_dim_neg1_keep", x => x[0].Sum(-1, keepDim: true), [[3, 5, 7]]),
        new("sum_dims_0_2", x => x[0].Sum([0, 2]), [[3, 5, 4]]),
        new("sum_dims_neg_keep", x => x[0].Sum([-1, -3], keepDim: true), [[2, 3, 5]]),
        new("mean_dim0", x => x[0].Mean(0), [[5, 3]]),
        new("mean_dim_neg2", x => x[0].Mean(-2), [[3, 7, 5]]),
        new("mean_dims_keep", x => x[0].Mean([1, 2], keepDim: true), [[2, 3, 5]]),
        new("var_dim1", x => x[0].Var(1), [[4, 7]]),
        new("var_dim0_biased_keep", x => x[0].Var(0, unbiased: false, keepDim: true), [[5, 3]]),
        new("var_dims", x => x[0].Var([0, -1]), [[2, 3, 5]]),
        new("var_all", x => x[0].Var(), [[3, 5]]),
        new("std_dim_neg1", x => x[0].Std(-1), [[3, 6]]),
        new("std_dim0_biased_keep", x => x[0].Std(0, unbiased: false, keepDim: true), [[5, 3]]),

        new("max_dim1_values", x => x[0].Max(1).Values, [[3, 5, 4]]),
        new("max_dim1_indices", x => x[0].Max(1).Indices, null, Note: "indices are not differentiable"),
        new("max_dim_neg1_keep_values", x => x[0].Max(-1, keepDim: true).Values, [[4, 7]]),
        new("max_dim_neg1_keep_indices", x => x[0].Max(-1, keepDim: true).Indices, null, Note: "indices are not differentiable"),
        new("min_dim0_values", x => x[0].Min(0).Values, [[5, 3, 2]]),
        new("min_dim0_indices", x => x[0].Min(0).Indices, null, Note: "indices are not differentiable"),
        new("argmax_dim1", x => x[0].ArgMax(1), null, Note: "not differentiable"),
        new("argmin_dim_neg1_keep", x => x[0].ArgMin(-1, keepDim: true), null, Note: "not differentiable"),
        new("argmax_all", x => x[0].ArgMax(), null, Note: "not differentiable"),
        new("argmin_all", x => x[0].ArgMin(), null, Note: "not differentiable"),
        new("max_all", x => x[0].Max(), [[3, 5]]),
        new("min_all_ties", x => x[0].Min(), [[3, 5]]),
        new("max_all_ties", x => x[0].Max(), [[3, 5]]),
    ];

    [Fact]
    public void EmptyDimListReducesEverything()
    {
        var x = Tensor.Arange(6).Reshape(2, 3);
        Assert.Equal(new Shape(), x.Sum([]).Shape);
        Assert.Equal(15f, x.Sum([]).Item());
        Assert.Equal(new Shape(1, 1), x.Sum([], keepDim: true).Shape);
    }

    [Fact]
    public void SumOverWideInnerBlocksMatchesDirectSum()
    {
        // inner = 130 spans several accumulator blocks of the kernel.
        var x = Tensor.Randn(new Shape(3, 4, 130), new Generator(3));
        var sum = x.Sum(1);
        for (int o = 0; o < 3; o++)
            for (int i = 0; i < 130; i++)
            {
                double expected = 0;
                for (int p = 0; p < 4; p++) expected += x[o, p, i];
                Assert.Equal((float)expected, sum[o, i]);
            }
    }

    [Fact]
    public void ReductionsOverAnEmptyDimension()
    {
        var x = Tensor.Zeros(2, 0);
        Assert.Equal([0f, 0f], x.Sum(1).ToArray());
        Assert.All(x.Mean(1).ToArray(), v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void MaxFirstIndexOnTiesAndNaNPropagates()
    {
        var x = Tensor.FromArray([1f, 3f, 3f, float.NaN, 2f, float.NaN], 2, 3);
        var (values, indices) = x.Max(1);
        Assert.Equal([3f, float.NaN], values.ToArray());
        Assert.Equal([1f, 0f], indices.ToArray());
        Assert.True(float.IsNaN(x.Max().Item()));
        Assert.True(float.IsNaN(x.Min().Item()));
        Assert.Equal([1f, 1f], Tensor.FromArray([2f, 1f, 1f, 4f, 0f, 0f], 2, 3).Min(1).Indices.ToArray());
    }

    [Fact]
    public void MaxAllSplitsGradientBetweenTies()
    {
        var x = Tensor.FromArray([2f, 5f, 5f, 1f]).RequiresGradient();
        x.Max().Backward();
        Assert.Equal([0f, 0.5f, 0.5f, 0f], x.Grad!.ToArray());
    }

    [Fact]
    public void UnbiasedVarianceOfOneElementIsNaN()
    {
        Assert.True(float.IsNaN(Tensor.FromArray([3f]).Var(0).Item()));
        Assert.Equal(0f, Tensor.FromArray([3f]).Var(0, unbiased: false).Item());
    }

    [Fact]
    public void DimOutOfRangeThrowsNamingDimAndShape()
    {
        var x = Tensor.Zeros(2, 3);
        foreach (var action in new Action[] { () => x.Sum(2), () => x.Mean(-3), () => x.Max(5), () => x.ArgMin(-3), () => x.Var([0, 2]) })
        {
            var error = Assert.ThrowsAny<ArgumentOutOfRangeException>(action);
            Assert.Contains("(2, 3)", error.Message);
        }
    }

    [Fact]
    public void RepeatedDimThrows()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Sum([1, -1]));
        Assert.Contains("more than once", error.Message);
    }

    [Fact]
    public void MaxOverEmptyDimensionThrows()
    {
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 0).Max(1));
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(0).Max());
    }
}
