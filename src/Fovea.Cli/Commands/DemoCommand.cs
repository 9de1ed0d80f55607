using System.CommandLine;
using Fovea.Cli.Demo;
using Spectre.Console;

namespace Fovea.Cli.Commands;

/// <summary>`fovea demo`: trains LeNet-5 on the shipped Fashion-MNIST subset.</summary>
internal static class DemoCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var defaults = new DemoOptions();
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set.", DefaultValueFactory = _ => defaults.Epochs }.AtLeastOne();
        var batchSize = new Option<int>("--batch-size") { Description = "Images per mini-batch.", DefaultValueFactory = _ => defaults.BatchSize }.AtLeastOne();
        var learningRate = new Option<float>("--lr") { Description = "SGD learning rate.", DefaultValueFactory = _ => defaults.LearningRate }
            .Check(v => v > 0 && float.IsFinite(v) ? null : $"must be a finite number > 0, got {v}.");
        var momentum = new Option<float>("--momentum") { Description = "SGD momentum.", DefaultValueFactory = _ => defaults.Momentum }
            .Check(v => v >= 0 && v < 1 ? null : $"must be in [0, 1), got {v}.");
        var seed = new Option<ulong>("--seed") { Description = "Seed of the weight initialisation and the shuffling.", DefaultValueFactory = _ => defaults.Seed };
        var data = new Option<string?>("--data")
        {
            Description = $"Folder with the Fashion-MNIST IDX files (default: {DataDirectory.Default}, searched upwards from the current folder and from the program's folder).",
            HelpName = "DIR",
        };
        var save = new Option<string?>("--save") { Description = "Save the trained weights to this safetensors file.", HelpName = "FILE" };

        var command = new Command("demo", "Train LeNet-5 on the shipped Fashion-MNIST subset and report test accuracy.")
        {
            epochs, batchSize, learningRate, momentum, seed, data, save,
        };
        command.SetAction(parse =>
        {
            var options = new DemoOptions(parse.GetValue(epochs), parse.GetValue(batchSize), parse.GetValue(learningRate),
                parse.GetValue(momentum), parse.GetValue(seed), parse.GetValue(data), parse.GetValue(save));
            DemoRunner.Run(options, console, Environment.CurrentDirectory, AppContext.BaseDirectory);
            return 0;
        });
        return command;
    }
}
