using System.Globalization;
using System.Text;

namespace Fovea.Nn;

/// <summary>
/// One call of one layer (a module without children) in a <see cref="ModelSummary"/>, in execution order.
/// </summary>
/// <param name="Name">Dotted name in the model, as in the state dict ("layer1.0.conv1"); "" when the model is itself the layer.</param>
/// <param name="Type">The layer's class name.</param>
/// <param name="OutputShape">Shape of the output of this call, batch dimension included.</param>
/// <param name="Parameters">Parameter elements of the layer; 0 on a repeated call of the same layer (see <paramref name="Repeated"/>).</param>
/// <param name="TrainableParameters">Those of <paramref name="Parameters"/> that require gradients.</param>
/// <param name="Buffers">Buffer elements of the layer (batch norm running statistics...); 0 on a repeated call.</param>
/// <param name="ReceptiveField">Receptive field R per spatial dimension of one output position, in input pixels; null
/// where it is not defined (outputs without the input's spatial dimensions, such as Flatten and Linear).</param>
/// <param name="Jump">Input pixels between neighbouring output positions (the product of the strides so far) per
/// spatial dimension; null with <paramref name="ReceptiveField"/>.</param>
/// <param name="Macs">Multiply-accumulates of this call, for the whole batch (<see cref="MultiplyAccumulates"/>).</param>
/// <param name="Repeated">The layer already ran earlier in this pass (a module used twice, e.g. one ReLU shared by a block).</param>
public sealed record LayerSummary(string Name, string Type, Shape OutputShape, long Parameters, long TrainableParameters, long Buffers,
    IReadOnlyList<int>? ReceptiveField, IReadOnlyList<int>? Jump, long Macs, bool Repeated);

/// <summary>
/// What <c>module.Summary(inputShape)</c> measured: each layer call's output shape, parameters, receptive
/// field, jump and MACs, and the totals. <see cref="ToString"/> prints it as a table, as Keras's summary
/// and torchinfo do.
/// </summary>
public sealed class ModelSummary
{
    internal ModelSummary(string modelType, Shape inputShape, IReadOnlyList<LayerSummary> layers, long totalParameters, long trainableParameters, long buffers)
    {
        (ModelType, InputShape, Layers) = (modelType, inputShape, layers);
        (TotalParameters, TrainableParameters, Buffers) = (totalParameters, trainableParameters, buffers);
    }

    public string ModelType { get; }
    /// <summary>The input the summary ran on, (N, C, spatial...).</summary>
    public Shape InputShape { get; }
    /// <summary>One entry per layer call, in execution order.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>
    /// Parameter elements of the whole model, each shared tensor once (<c>Module.ParameterCount()</c>); this includes
    /// parameters of layers that did not run and parameters held directly by a module with children, which no row shows.
    /// </summary>
    public long TotalParameters { get; }
    public long TrainableParameters { get; }
    public long NonTrainableParameters => TotalParameters - TrainableParameters;
    /// <summary>Buffer elements of the whole model (not parameters; not in the totals above).</summary>
    public long Buffers { get; }
    /// <summary>Multiply-accumulates of the whole forward pass (the sum over <see cref="Layers"/>).</summary>
    public long Macs => Layers.Sum(layer => layer.Macs);

    /// <summary>Bytes of the float32 input.</summary>
    public long InputBytes => 4L * InputShape.Size;
    /// <summary>Bytes of the float32 parameters.</summary>
    public long ParameterBytes => 4L * TotalParameters;
    /// <summary>Bytes of every layer call's float32 output: the activations one forward pass produces.</summary>
    public long ActivationBytes => Layers.Sum(layer => 4L * layer.OutputShape.Size);
    /// <summary>
    /// torchinfo's "forward/backward pass size": twice (value and gradient) the output bytes of the
    /// layers that hold parameters, each layer once.
    /// </summary>
    public long ForwardBackwardBytes => Layers.Where(l => !l.Repeated && l.Parameters > 0).Sum(l => 2 * 4L * l.OutputShape.Size);

    /// <summary>The receptive field as a number, "7x3" when it differs between dimensions, "-" when undefined.</summary>
    public static string FormatPerDimension(IReadOnlyList<int>? values) =>
        values is null ? "-"
        : values.Distinct().Count() == 1 ? values[0].ToString(CultureInfo.InvariantCulture)
        : string.Join("x", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));

    /// <summary>A table of the layers and the totals, like torchinfo's summary.</summary>
    public override string ToString()
    {
        string[] headers = ["Layer", "Type", "Output shape", "Params", "RF", "Jump", "MACs"];
        bool[] rightAligned = [false, false, false, true, true, true, true];
        var rows = Layers.Select(l => new[]
        {
            l.Name.Length == 0 ? "(model)" : l.Name,
            l.Type,
            l.OutputShape.ToString(),
            l.Repeated ? "(repeated)" : Count(l.Parameters) + (l.Parameters > 0 && l.TrainableParameters == 0 ? " (frozen)" : ""),
            FormatPerDimension(l.ReceptiveField),
            FormatPerDimension(l.Jump),
            Count(l.Macs),
        }).ToList();
        var widths = headers.Select((h, c) => rows.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        int total = widths.Sum() + 2 * (widths.Length - 1);
        string heavy = new('=', total), light = new('-', total);

        var text = new StringBuilder();
        text.AppendLine($"{ModelType} on input {InputShape}");
        text.AppendLine(heavy);
        text.AppendLine(Row(headers));
        text.AppendLine(light);
        foreach (var row in rows) text.AppendLine(Row(row));
        text.AppendLine(heavy);
        text.AppendLine($"Total params: {Count(TotalParameters)}");
        text.AppendLine($"Trainable params: {Count(TrainableParameters)}");
        text.AppendLine($"Non-trainable params: {Count(NonTrainableParameters)}");
        text.AppendLine($"Buffers (running statistics...): {Count(Buffers)}");
        text.AppendLine($"Total MACs (mult-adds): {Count(Macs)} ({Readable(Macs)})");
        text.AppendLine(light);
        text.AppendLine($"Input size (MB): {Megabytes(InputBytes)}");
        text.AppendLine($"Activations, every layer's output (MB): {Megabytes(ActivationBytes)}");
        text.AppendLine($"Forward/backward pass size, as torchinfo (MB): {Megabytes(ForwardBackwardBytes)}");
        text.AppendLine($"Params size (MB): {Megabytes(ParameterBytes)}");
        text.AppendLine(heavy);
        text.AppendLine("RF: receptive field in input pixels; Jump: input pixels between neighbouring outputs; '-': not defined.");
        return text.ToString();

        string Row(string[] cells) => string.Join("  ", cells.Select((cell, c) => rightAligned[c] ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd();
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
    private static string Megabytes(long bytes) => (bytes / 1e6).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>1.81 G, 416.52 M (torchinfo's units: 10^9, 10^6).</summary>
    public static string Readable(long count) => count >= 1_000_000_000
        ? (count / 1e9).ToString("F2", CultureInfo.InvariantCulture) + " G"
        : (count / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " M";
}
