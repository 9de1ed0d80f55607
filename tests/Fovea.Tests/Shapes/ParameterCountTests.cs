using Fovea.Nn;

namespace Fovea.Tests.Shapes;

/// <summary>Parameter and MAC formulas of each layer kind, against hand-worked numbers and the layers' own counts.</summary>
public sealed class ParameterCountTests
{
    private static long Buffers(Module module) => module.NamedBuffers().Sum(b => (long)b.Tensor.Size);

    [Fact]
    public void CheatSheetFormulasWorkedByHand()
    {
        // CONV (F·F·C + 1)·K: 5x5 filters on 1 channel, 6 of them: (25 + 1)·6 = 156; 3x3 on 64 → 128: 73,856.
        Assert.Equal(156, ParameterCounts.Convolution(1, 6, [5, 5]));
        Assert.Equal(73_856, ParameterCounts.Convolution(64, 128, [3, 3]));
        // Without bias, ResNet's stem: 7·7·3·64 = 9,408. Depthwise 3x3 (groups = C = 32): (9 + 1)·32 = 320.
        Assert.Equal(9_408, ParameterCounts.Convolution(3, 64, [7, 7], bias: false));
        Assert.Equal(320, ParameterCounts.Convolution(32, 32, [3, 3], groups: 32));
        // 1-D and 3-D: (3·4 + 1)·8 = 104; (3·3·3·2 + 1)·4 = 220.
        Assert.Equal(104, ParameterCounts.Convolution(4, 8, [3]));
        Assert.Equal(220, ParameterCounts.Convolution(2, 4, [3, 3, 3]));
        // POOL: 0. FC (N_in + 1)·N_out: (400 + 1)·120 = 48,120.
        Assert.Equal(0, ParameterCounts.Pooling());
        Assert.Equal(48_120, ParameterCounts.Linear(400, 120));
        Assert.Equal(48_000, ParameterCounts.Linear(400, 120, bias: false));
        // BN over 64 channels: γ, β → 128 trainable; running mean, variance and the batch counter → 129 buffers.
        Assert.Equal(128, ParameterCounts.BatchNorm(64));
        Assert.Equal(129, ParameterCounts.BatchNormBuffers(64));
        Assert.Equal(0, ParameterCounts.BatchNorm(64, affine: false));
        Assert.Equal(0, ParameterCounts.BatchNormBuffers(64, trackRunningStats: false));
        // Transposed 4x4, 16 → 8 channels: 16·8·16 + 8 = 2,056, like the convolution it transposes.
        Assert.Equal(2_056, ParameterCounts.TransposedConvolution(16, 8, [4, 4]));
    }

    [Fact]
    public void FormulasEqualTheLayersOwnCounts()
    {
        foreach (var (inChannels, outChannels, groups) in new[] { (1, 1, 1), (3, 6, 1), (4, 8, 2), (6, 6, 3), (8, 8, 8) })
            foreach (bool bias in new[] { true, false })
            {
                Assert.Equal(ParameterCounts.Convolution(inChannels, outChannels, [3], groups, bias), new Conv1d(inChannels, outChannels, 3, groups: groups, bias: bias).ParameterCount());
                Assert.Equal(ParameterCounts.Convolution(inChannels, outChannels, [3, 2], groups, bias), new Conv2d(inChannels, outChannels, (3, 2), groups: groups, bias: bias).ParameterCount());
                Assert.Equal(ParameterCounts.Convolution(inChannels, outChannels, [2, 3, 1], groups, bias), new Conv3d(inChannels, outChannels, (2, 3, 1), groups: groups, bias: bias).ParameterCount());
                Assert.Equal(ParameterCounts.TransposedConvolution(inChannels, outChannels, [3], groups, bias), new ConvTranspose1d(inChannels, outChannels, 3, groups: groups, bias: bias).ParameterCount());
                Assert.Equal(ParameterCounts.TransposedConvolution(inChannels, outChannels, [4, 3], groups, bias), new ConvTranspose2d(inChannels, outChannels, (4, 3), groups: groups, bias: bias).ParameterCount());
                Assert.Equal(ParameterCounts.TransposedConvolution(inChannels, outChannels, [2, 2, 3], groups, bias), new ConvTranspose3d(inChannels, outChannels, (2, 2, 3), groups: groups, bias: bias).ParameterCount());
                Assert.Equal(ParameterCounts.Linear(inChannels, outChannels, bias), new Linear(inChannels, outChannels, bias).ParameterCount());
            }
        foreach (bool affine in new[] { true, false })
            foreach (bool track in new[] { true, false })
            {
                var norms = new Module[] { new BatchNorm1d(12, affine: affine, trackRunningStats: track), new BatchNorm2d(12, affine: affine, trackRunningStats: track) };
                foreach (var norm in norms)
                {
                    Assert.Equal(ParameterCounts.BatchNorm(12, affine), norm.ParameterCount());
                    Assert.Equal(ParameterCounts.BatchNormBuffers(12, track), Buffers(norm));
                }
            }
        Module[] pools = [new MaxPool1d(2), new MaxPool2d(3), new MaxPool3d(2), new AvgPool1d(2), new AvgPool2d(2), new AvgPool3d(2),
            new AdaptiveAvgPool2d(1), new AdaptiveMaxPool2d(2)];
        Assert.All(pools, pool => Assert.Equal(ParameterCounts.Pooling(), pool.ParameterCount()));
    }

    [Fact]
    public void MultiplyAccumulatesFollowTorchinfo()
    {
        // LeNet's first convolution: (5·5·1 + 1)·6 = 156 parameters used at each of 28·28 positions: 122,304.
        Assert.Equal(122_304, MultiplyAccumulates.Convolution(1, 6, [5, 5], [28, 28]));
        // ResNet's stem on 224x224, no bias, output 112x112: 9,408·12,544 = 118,013,952 per image; 2 images: twice.
        Assert.Equal(118_013_952, MultiplyAccumulates.Convolution(3, 64, [7, 7], [112, 112], bias: false));
        Assert.Equal(2 * 118_013_952L, MultiplyAccumulates.Convolution(3, 64, [7, 7], [112, 112], bias: false, batch: 2));
        // FC counts weights and biases once per sample; batch norm its scale and shift.
        Assert.Equal(3 * 48_120, MultiplyAccumulates.Linear(400, 120, batch: 3));
        Assert.Equal(2 * 128, MultiplyAccumulates.BatchNorm(64, batch: 2));
        Assert.Equal(0, MultiplyAccumulates.Pooling());
        // torchinfo's rule for transposed convolutions: every parameter at each output position.
        Assert.Equal(2_056L * 8 * 8, MultiplyAccumulates.TransposedConvolution(16, 8, [4, 4], [8, 8]));
    }

    [Fact]
    public void MultiplyAccumulatesOfALayerCallEqualTheFormulas()
    {
        var conv = new Conv2d(4, 8, 3, stride: 2, groups: 2);
        var output = conv.Forward(Tensor.Zeros(2, 4, 9, 9)).Shape;   // (2, 8, 4, 4)
        Assert.Equal(MultiplyAccumulates.Convolution(4, 8, [3, 3], [4, 4], groups: 2, batch: 2), MultiplyAccumulates.Of(conv, output));
        var transposed = new ConvTranspose2d(4, 2, 3, stride: 2);
        var upsampled = transposed.Forward(Tensor.Zeros(1, 4, 5, 5)).Shape;   // (1, 2, 11, 11)
        Assert.Equal(MultiplyAccumulates.TransposedConvolution(4, 2, [3, 3], [11, 11]), MultiplyAccumulates.Of(transposed, upsampled));
        Assert.Equal(MultiplyAccumulates.Linear(10, 3, batch: 5), MultiplyAccumulates.Of(new Linear(10, 3), new Shape(5, 3)));
        Assert.Equal(MultiplyAccumulates.BatchNorm(6, batch: 2), MultiplyAccumulates.Of(new BatchNorm2d(6), new Shape(2, 6, 7, 7)));
        Assert.Equal(0, MultiplyAccumulates.Of(new MaxPool2d(2), new Shape(2, 6, 7, 7)));
        Assert.Equal(0, MultiplyAccumulates.Of(new ReLU(), new Shape(2, 6, 7, 7)));
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterCounts.Convolution(0, 4, [3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterCounts.Convolution(4, 4, [3, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterCounts.Convolution(4, 4, [3], groups: 0));
        Assert.Throws<ArgumentException>(() => ParameterCounts.Convolution(4, 4, []));
        var groups = Assert.Throws<ArgumentException>(() => ParameterCounts.Convolution(4, 6, [3], groups: 4));
        Assert.Contains("outChannels = 6 is not divisible by groups = 4", groups.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterCounts.Linear(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterCounts.BatchNorm(-1));
        Assert.Throws<ArgumentException>(() => MultiplyAccumulates.Convolution(1, 6, [5, 5], [28]));
        Assert.Throws<ArgumentOutOfRangeException>(() => MultiplyAccumulates.Convolution(1, 6, [5, 5], [28, -1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => MultiplyAccumulates.Linear(4, 4, batch: 0));
    }
}
