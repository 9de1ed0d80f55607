namespace Fovea.Nn;

/// <summary>ReLU g(z) = max(0, z).</summary>
public sealed class ReLU : Module
{
    protected override Tensor OnForward(Tensor input) => F.Relu(input);
}

/// <summary>Leaky ReLU g(z) = z if z > 0, else negativeSlope·z (the cheat sheet's max(ε·z, z) for ε ≤ 1).</summary>
public sealed class LeakyReLU : Module
{
    public LeakyReLU(float negativeSlope = 0.01f)
    {
        if (!float.IsFinite(negativeSlope)) throw new ArgumentOutOfRangeException(nameof(negativeSlope), $"negativeSlope must be finite, got {negativeSlope}.");
        NegativeSlope = negativeSlope;
    }

    public float NegativeSlope { get; }
    protected override Tensor OnForward(Tensor input) => F.LeakyRelu(input, NegativeSlope);
    public override string ToString() => $"LeakyReLU(negativeSlope={NegativeSlope})";
}

/// <summary>ELU: z if z > 0 else α(e^z − 1) by default; <see cref="EluForm.CheatSheet"/> is max(α(e^z − 1), z) (see its notes).</summary>
public sealed class ELU : Module
{
    public ELU(float alpha = 1f, EluForm form = EluForm.Standard)
    {
        if (!float.IsFinite(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), $"alpha must be finite, got {alpha}.");
        if (!Enum.IsDefined(form)) throw new ArgumentOutOfRangeException(nameof(form), $"Unknown ELU form {form}.");
        (Alpha, Form) = (alpha, form);
    }

    public float Alpha { get; }
    public EluForm Form { get; }
    protected override Tensor OnForward(Tensor input) => F.Elu(input, Alpha, Form);
    public override string ToString() => $"ELU(alpha={Alpha}, form={Form})";
}

/// <summary>Logistic sigmoid 1 / (1 + e^−z).</summary>
public sealed class Sigmoid : Module
{
    protected override Tensor OnForward(Tensor input) => F.Sigmoid(input);
}

/// <summary>Hyperbolic tangent.</summary>
public sealed class Tanh : Module
{
    protected override Tensor OnForward(Tensor input) => F.Tanh(input);
}

/// <summary>Softmax along <see cref="Dim"/>: p_i = e^{x_i} / Σ_j e^{x_j}, the last step of a classifier.</summary>
public sealed class Softmax(int dim) : Module
{
    public int Dim { get; } = dim;
    protected override Tensor OnForward(Tensor input) => F.Softmax(input, Dim);
    public override string ToString() => $"Softmax(dim={Dim})";
}

/// <summary>Log-softmax along <see cref="Dim"/> (pairs with a negative log-likelihood loss).</summary>
public sealed class LogSoftmax(int dim) : Module
{
    public int Dim { get; } = dim;
    protected override Tensor OnForward(Tensor input) => F.LogSoftmax(input, Dim);
    public override string ToString() => $"LogSoftmax(dim={Dim})";
}
