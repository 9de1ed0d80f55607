using System.CommandLine;
using System.Globalization;
using Fovea.Vision.Imaging;
using Fovea.Vision.Training;
using Fovea.Vision.Transforms;
using Spectre.Console;

namespace Fovea.Cli.Commands;

/// <summary>`fovea predict`: the most probable classes of image files, by a trained checkpoint.</summary>
internal static class PredictCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by fovea train.", Required = true, HelpName = "FILE" };
        var top = new Option<int>("--top") { Description = "How many classes to list per image.", DefaultValueFactory = _ => 5 }.AtLeastOne();
        var images = new Argument<string[]>("IMAGE") { Description = "Image files (PNG, JPEG, BMP, GIF, WebP); converted to the model's channels and size.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("predict", "Classify images with a checkpoint: the top classes with their probabilities.")
        {
            checkpoint, top, images,
        };
        command.SetAction(parse =>
        {
            Run(parse.GetValue(checkpoint)!, parse.GetValue(images)!, parse.GetValue(top), console);
            return 0;
        });
        return command;
    }

    public static IReadOnlyList<(int Class, float Probability)[]> Run(string checkpointPath, IReadOnlyList<string> imagePaths, int top, IAnsiConsole console)
    {
        var (model, description) = Checkpoint.LoadModel(checkpointPath);
        // Decode everything first: a bad file fails the command before anything is printed.
        var normalize = new Normalize(description.Mean, description.Std);
        var random = new Generator(0);   // unused: these transforms are not random
        var inputs = imagePaths.Select(path =>
            normalize.Apply(Resize.Bilinear(ImageFiles.Read(path, description.Channels), description.Height, description.Width), random)).ToList();
        int size = description.Channels * description.Height * description.Width;
        var pixels = new float[inputs.Count * size];
        for (int i = 0; i < inputs.Count; i++) inputs[i].Pixels.CopyTo(pixels, i * size);
        Tensor logits;
        using (Autograd.NoGrad())
            logits = model.Forward(Tensor.FromSpan(pixels, new Shape(inputs.Count, description.Channels, description.Height, description.Width)));
        int k = Math.Min(top, description.NumClasses);
        var results = new List<(int, float)[]>();
        for (int i = 0; i < inputs.Count; i++)
        {
            var best = Predictions.TopK(logits.ReadOnlySpan.Slice(i * description.NumClasses, description.NumClasses), k);
            results.Add(best);
            console.Line(imagePaths[i]);
            for (int rank = 0; rank < best.Length; rank++)
                console.Line(string.Create(CultureInfo.InvariantCulture, $"  {rank + 1}. {description.ClassNames[best[rank].Class],-20} {100 * best[rank].Probability,7:F2}%"));
        }
        return results;
    }
}
