using Fovea.Nn;

namespace Fovea.Vision.Models;

/// <summary>
/// The weight initialisations torchvision's model constructors apply after building their layers,
/// written once and shared by the zoo. Every function walks all modules of a model, in registration
/// order, and draws from the given generator (or <see cref="Generator.Default"/>).
/// </summary>
internal static class TorchvisionInit
{
    /// <summary>
    /// ResNet and VGG: every Conv2d weight ~ kaiming_normal_(mode="fan_out", nonlinearity="relu"),
    /// i.e. N(0, 2 / (K·F·F)); conv biases 0.
    /// </summary>
    public static void KaimingConvolutions(Module model, Generator? generator)
    {
        foreach (var conv in Modules<Conv2d>(model))
        {
            Init.KaimingNormal(conv.Weight, mode: FanMode.FanOut, nonlinearity: "relu", generator: generator);
            if (conv.Bias is not null) Init.Zeros(conv.Bias);
        }
    }

    /// <summary>Every BatchNorm2d: weight (γ) 1, bias (β) 0.</summary>
    public static void BatchNormOnesZeros(Module model)
    {
        foreach (var norm in Modules<BatchNorm2d>(model))
        {
            if (norm.Weight is not null) Init.Ones(norm.Weight);
            if (norm.Bias is not null) Init.Zeros(norm.Bias);
        }
    }

    /// <summary>
    /// Every Linear weight ~ N(0, std²); with <paramref name="zeroBias"/> the bias is set to 0, otherwise it
    /// keeps PyTorch's default U(±1/√fan_in) (GoogLeNet leaves it, VGG zeroes it).
    /// </summary>
    public static void NormalLinears(Module model, float std, bool zeroBias, Generator? generator)
    {
        foreach (var linear in Modules<Linear>(model))
        {
            Init.Normal(linear.Weight, 0f, std, generator);
            if (zeroBias && linear.Bias is not null) Init.Zeros(linear.Bias);
        }
    }

    /// <summary>Every Conv2d weight ~ N(0, std²); biases untouched.</summary>
    public static void NormalConvolutions(Module model, float std, Generator? generator)
    {
        foreach (var conv in Modules<Conv2d>(model)) Init.Normal(conv.Weight, 0f, std, generator);
    }

    private static IEnumerable<T> Modules<T>(Module model) where T : Module =>
        model.NamedModules().Select(item => item.Module).OfType<T>();
}
