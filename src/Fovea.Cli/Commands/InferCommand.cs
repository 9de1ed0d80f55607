using System.CommandLine;
using Fovea.Nn;
using Fovea.Serialization;
using Fovea.Vision.Models;
using Spectre.Console;
using static Fovea.Cli.Commands.CommandArguments;

namespace Fovea.Cli.Commands;

/// <summary>
/// `fovea infer`: loads a zoo model's weights from a safetensors state dict (PyTorch names), runs the batch
/// in an .npy file through it in eval mode without recording gradients, and writes the logits as .npy.
/// </summary>
internal static class InferCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var model = ModelOption();
        var numClasses = NumClassesOption();
        var weights = new Option<string>("--weights") { Description = "State dict (.safetensors) with the model's parameter and buffer names.", HelpName = "FILE", Required = true };
        var input = new Option<string>("--input") { Description = "Batch of inputs (.npy), shape (N, C, H, W).", HelpName = "X.npy", Required = true };
        var output = new Option<string>("--output") { Description = "Where to write the logits (.npy, float32, (N, classes)); written atomically.", HelpName = "Y.npy", Required = true };
        var command = new Command("infer", "Run a model with saved weights on a batch of inputs and write its outputs (logits).")
        {
            model, numClasses, weights, input, output,
        };
        command.SetAction(parse =>
        {
            string name = parse.GetValue(model)!, outputPath = parse.GetValue(output)!;
            var logits = Run(name, parse.GetValue(numClasses), parse.GetValue(weights)!, parse.GetValue(input)!, out var batchShape);
            Npy.Write(outputPath, logits);
            console.Line($"{name}: {batchShape} -> {logits.Shape}, written to {outputPath}");
            return 0;
        });
        return command;
    }

    /// <summary>The model's outputs for the batch in <paramref name="inputPath"/>; every problem is a one-line <see cref="CliException"/>.</summary>
    public static Tensor Run(string name, int? numClasses, string weightsPath, string inputPath, out Shape batchShape)
    {
        var entry = ModelZoo.Get(name);
        var network = ModelZoo.Create(name, numClasses);
        RequireFile(weightsPath, "--weights");
        RequireFile(inputPath, "--input");
        try
        {
            network.Load(weightsPath);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--weights: {weightsPath} does not fit {name}: {Message(e)}");
        }

        var batch = Npy.Read(inputPath);
        batchShape = batch.Shape;
        var expected = entry.DefaultInput;
        string expectedText = $"(N, {string.Join(", ", expected.ToArray())})";
        if (batch.Rank != expected.Rank + 1 || batch.Shape[1] != expected[0] || batch.Shape[0] == 0)
            throw new CliException($"--input: {inputPath} has shape {batch.Shape}; {name} takes a batch of shape {expectedText} with N >= 1.");
        network.Eval();
        using var noGrad = Autograd.NoGrad();
        try
        {
            return network.Forward(batch);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--input: {inputPath} has shape {batch.Shape}, which {name} cannot take (its usual input is {expectedText}): {Message(e)}");
        }
    }

    private static void RequireFile(string path, string option)
    {
        if (!File.Exists(path)) throw new CliException($"{option}: file '{path}' does not exist.");
    }
}
