using Fovea.Nn;

namespace Fovea.Vision.Models;

/// <summary>
/// GoogLeNet's three outputs (torchvision's GoogLeNetOutputs): the logits and, in training mode with the auxiliary
/// classifiers, theirs (null otherwise). AuxLogits1 is the output of aux1 (after inception4a), AuxLogits2 that of aux2
/// (after inception4d). torchvision 0.14 fills these two fields the other way round (pytorch/vision#8736, fixed in later
/// versions); its tuple positions (logits, aux1, aux2) are what training code unpacks.
/// </summary>
public sealed record GoogLeNetOutputs(Tensor Logits, Tensor? AuxLogits2, Tensor? AuxLogits1);

/// <summary>
/// GoogLeNet, i.e. Inception v1 (Szegedy et al., 2014), with torchvision's module tree and defaults:
/// conv1 (7x7/2) → maxpool1 → conv2 (1x1) → conv3 (3x3) → maxpool2 → inception3a, 3b → maxpool3 → inception4a … 4e
/// → maxpool4 → inception5a, 5b → avgpool (adaptive, 1x1) → dropout (0.2) → fc (1024 → numClasses). Convolutions are
/// <see cref="BasicConv2d"/> (conv without bias, BN eps 0.001, ReLU); pools are 3x3 (maxpool4 2x2) stride 2 in
/// ceil mode. Names "inception4a.branch2.1.conv.weight", "fc.bias", …
/// <para>
/// With <c>auxLogits</c> the auxiliary classifiers aux1 (after inception4a) and aux2 (after inception4d) exist and,
/// in training mode, <see cref="ForwardWithAuxiliary"/> returns their logits too; <see cref="Module.Forward"/>
/// always returns the main logits. The default (no auxiliary classifiers, 6,624,904 parameters with 1000 classes)
/// is the layout of torchvision's pretrained googlenet; note that torchvision's googlenet() built without weights
/// keeps aux_logits = True (13,004,888 parameters). With <c>transformInput</c> the input is first re-normalised from
/// ImageNet's mean/std to [-1, 1] per channel, as torchvision does for its pretrained weights (default off, as
/// torchvision's constructor).
/// </para>
/// Initialisation as torchvision (init_weights = True): conv and Linear weights ~ truncated N(0, 0.01²) on [-2, 2]
/// (the bounds are 200 standard deviations away, beyond anything the normal sampler returns, so a plain normal is
/// the same distribution), Linear biases PyTorch's default, BN γ = 1, β = 0. x: (N, 3, H, W), H, W ≥ 31 (see notes
/// in docs/models.md) -> logits (N, numClasses).
/// </summary>
public sealed class GoogLeNet : Module
{
    // torchvision's Inception channel table: (in, 1x1, 3x3 reduce, 3x3, "5x5" reduce, "5x5", pool projection).
    private static readonly Dictionary<string, int[]> InceptionTable = new()
    {
        ["inception3a"] = [192, 64, 96, 128, 16, 32, 32],
        ["inception3b"] = [256, 128, 128, 192, 32, 96, 64],
        ["inception4a"] = [480, 192, 96, 208, 16, 48, 64],
        ["inception4b"] = [512, 160, 112, 224, 24, 64, 64],
        ["inception4c"] = [512, 128, 128, 256, 24, 64, 64],
        ["inception4d"] = [512, 112, 144, 288, 32, 64, 64],
        ["inception4e"] = [528, 256, 160, 320, 32, 128, 128],
        ["inception5a"] = [832, 256, 160, 320, 32, 128, 128],
        ["inception5b"] = [832, 384, 192, 384, 48, 128, 128],
    };

    // ImageNet's per-channel mean and standard deviation, which transformInput maps to 0.5 and 0.5.
    private static readonly double[] ImageNetMean = [0.485, 0.456, 0.406];
    private static readonly double[] ImageNetStd = [0.229, 0.224, 0.225];

    private readonly BasicConv2d conv1, conv2, conv3;
    private readonly MaxPool2d maxpool1, maxpool2, maxpool3, maxpool4;
    private readonly Dictionary<string, Inception> inceptions = [];
    private readonly InceptionAux? aux1, aux2;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Dropout dropout;
    private readonly Linear fc;

    /// <param name="numClasses">Outputs of fc (and of the auxiliary classifiers).</param>
    /// <param name="auxLogits">Build the auxiliary classifiers aux1 and aux2 (torchvision's aux_logits).</param>
    /// <param name="transformInput">Re-normalise ImageNet-normalised input to [-1, 1] (torchvision's transform_input).</param>
    /// <param name="dropout">Dropout before fc (torchvision: 0.2).</param>
    /// <param name="dropoutAux">Dropout inside the auxiliary classifiers (torchvision: 0.7).</param>
    /// <param name="widthDivisor">
    /// Divides every channel count (1: torchvision's GoogLeNet). A narrow network with the same layers, for tests and
    /// quick experiments; must divide 8.
    /// </param>
    /// <param name="generator">Random source of the initialisation and of the dropout masks.</param>
    public GoogLeNet(int numClasses = 1000, bool auxLogits = false, bool transformInput = false, float dropout = 0.2f,
        float dropoutAux = 0.7f, int widthDivisor = 1, Generator? generator = null)
    {
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), $"numClasses must be > 0, got {numClasses}.");
        if (widthDivisor <= 0 || 8 % widthDivisor != 0)
            throw new ArgumentOutOfRangeException(nameof(widthDivisor), $"widthDivisor must divide 8 (1, 2, 4 or 8), got {widthDivisor}.");
        (AuxLogits, TransformInput) = (auxLogits, transformInput);
        int W(int channels) => channels / widthDivisor;

        conv1 = RegisterModule("conv1", new BasicConv2d(3, W(64), 7, stride: 2, padding: 3, generator: generator));
        maxpool1 = RegisterModule("maxpool1", new MaxPool2d(3, stride: 2, ceilMode: true));
        conv2 = RegisterModule("conv2", new BasicConv2d(W(64), W(64), 1, generator: generator));
        conv3 = RegisterModule("conv3", new BasicConv2d(W(64), W(192), 3, padding: 1, generator: generator));
        maxpool2 = RegisterModule("maxpool2", new MaxPool2d(3, stride: 2, ceilMode: true));
        // The stages, with the pools between them, registered in torchvision's order.
        void AddInceptions(params string[] names)
        {
            foreach (var name in names)
            {
                var c = InceptionTable[name];
                inceptions[name] = RegisterModule(name, new Inception(W(c[0]), W(c[1]), W(c[2]), W(c[3]), W(c[4]), W(c[5]), W(c[6]), generator));
            }
        }
        AddInceptions("inception3a", "inception3b");
        maxpool3 = RegisterModule("maxpool3", new MaxPool2d(3, stride: 2, ceilMode: true));
        AddInceptions("inception4a", "inception4b", "inception4c", "inception4d", "inception4e");
        maxpool4 = RegisterModule("maxpool4", new MaxPool2d(2, stride: 2, ceilMode: true));
        AddInceptions("inception5a", "inception5b");
        if (auxLogits)
        {
            aux1 = RegisterModule("aux1", new InceptionAux(W(512), numClasses, dropoutAux, W(128), W(1024), generator));
            aux2 = RegisterModule("aux2", new InceptionAux(W(528), numClasses, dropoutAux, W(128), W(1024), generator));
        }
        avgpool = RegisterModule("avgpool", new AdaptiveAvgPool2d(1, 1));
        this.dropout = RegisterModule("dropout", new Dropout(dropout, generator));
        fc = RegisterModule("fc", new Linear(W(1024), numClasses, generator: generator));

        TorchvisionInit.NormalConvolutions(this, 0.01f, generator);
        TorchvisionInit.NormalLinears(this, 0.01f, zeroBias: false, generator);
        TorchvisionInit.BatchNormOnesZeros(this);
    }

    public bool AuxLogits { get; }
    public bool TransformInput { get; }

    /// <summary>The main logits (N, numClasses), in either mode (the auxiliary classifiers are not run).</summary>
    protected override Tensor OnForward(Tensor input) => Run(input, auxiliary: false).Logits;

    /// <summary>
    /// The main logits and, in training mode with auxiliary classifiers, theirs (torchvision's training-mode output,
    /// GoogLeNetOutputs(logits, aux_logits2, aux_logits1)); in eval mode or without them the auxiliary logits are null.
    /// Forward hooks of this module are not run (they see <see cref="Module.Forward"/> only).
    /// </summary>
    public GoogLeNetOutputs ForwardWithAuxiliary(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Run(input, auxiliary: Training && AuxLogits);
    }

    // x: (N, 3, 224, 224) -> conv1 (N, 64, 112, 112) -> maxpool1 (56) -> conv3 (N, 192, 56, 56) -> maxpool2 (28)
    // -> 3a, 3b (N, 480, 28, 28) -> maxpool3 (14) -> 4a … 4e (N, 832, 14, 14) -> maxpool4 (7) -> 5a, 5b (N, 1024, 7, 7)
    // -> avgpool, flatten (N, 1024) -> fc (N, classes)
    private GoogLeNetOutputs Run(Tensor input, bool auxiliary)
    {
        if (input.Rank != 4 || input.Shape[1] != 3)
            throw new ArgumentException($"GoogLeNet: input has shape {input.Shape}, expected (N, 3, H, W).", nameof(input));
        var x = TransformInput ? Renormalise(input) : input;
        x = maxpool2.Forward(conv3.Forward(conv2.Forward(maxpool1.Forward(conv1.Forward(x)))));
        x = maxpool3.Forward(Stage(x, "inception3a", "inception3b"));
        x = Stage(x, "inception4a");
        var auxLogits1 = auxiliary ? aux1!.Forward(x) : null;
        x = Stage(x, "inception4b", "inception4c", "inception4d");
        var auxLogits2 = auxiliary ? aux2!.Forward(x) : null;
        x = maxpool4.Forward(Stage(x, "inception4e"));
        x = Stage(x, "inception5a", "inception5b");
        var logits = fc.Forward(dropout.Forward(avgpool.Forward(x).Flatten(1)));
        return new GoogLeNetOutputs(logits, auxLogits2, auxLogits1);
    }

    private Tensor Stage(Tensor x, params string[] names)
    {
        foreach (var name in names) x = inceptions[name].Forward(x);
        return x;
    }

    // torchvision's _transform_input: x_c · (std_c / 0.5) + (mean_c − 0.5) / 0.5, per channel.
    private static Tensor Renormalise(Tensor x)
    {
        var scale = Tensor.FromSpan(ImageNetStd.Select(std => (float)(std / 0.5)).ToArray(), new Shape(1, 3, 1, 1));
        var shift = Tensor.FromSpan(ImageNetMean.Select(mean => (float)((mean - 0.5) / 0.5)).ToArray(), new Shape(1, 3, 1, 1));
        return x * scale + shift;
    }
}
