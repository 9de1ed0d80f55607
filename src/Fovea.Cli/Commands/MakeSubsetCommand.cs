using System.CommandLine;
using System.IO.Compression;
using System.Security.Cryptography;
using Fovea.Cli.Demo;
using Fovea.Vision.Datasets;
using Spectre.Console;

namespace Fovea.Cli.Commands;

/// <summary>
/// `fovea make-subset`: writes the class-balanced Fashion-MNIST subset that the repository ships in
/// data/fashion-mnist-subset (the first N images of each class, in file order), from the full dataset.
/// </summary>
internal static class MakeSubsetCommand
{
    public const string DebianDatasetFolder = "/usr/share/datasets/fashion-mnist";

    public static Command Create(IAnsiConsole console)
    {
        var source = new Option<string>("--source")
        {
            Description = "Folder with the full Fashion-MNIST IDX files (Debian's dataset-fashion-mnist package installs them here).",
            DefaultValueFactory = _ => DebianDatasetFolder,
            HelpName = "DIR",
        };
        var output = new Option<string>("--output") { Description = "Folder to write the subset to.", DefaultValueFactory = _ => DataDirectory.Default, HelpName = "DIR" };
        var trainPerClass = new Option<int>("--train-per-class") { Description = "Training images kept per class.", DefaultValueFactory = _ => 1000 }.AtLeastOne();
        var testPerClass = new Option<int>("--test-per-class") { Description = "Test images kept per class.", DefaultValueFactory = _ => 200 }.AtLeastOne();
        var command = new Command("make-subset", "Write a class-balanced subset of Fashion-MNIST (the first N images of each class).")
        {
            source, output, trainPerClass, testPerClass,
        };
        command.SetAction(parse =>
        {
            Make(parse.GetValue(source)!, parse.GetValue(output)!, parse.GetValue(trainPerClass), parse.GetValue(testPerClass), console);
            return 0;
        });
        return command;
    }

    public static void Make(string source, string output, int trainPerClass, int testPerClass, IAnsiConsole console)
    {
        if (!Directory.Exists(source))
            throw new CliException($"--source: directory '{source}' does not exist (install Debian's dataset-fashion-mnist, or pass --source DIR).");
        foreach (var (train, perClass) in new[] { (true, trainPerClass), (false, testPerClass) })
        {
            var (images, labels) = FashionMnist.FileNames(train);
            var indices = ClassBalancedSubset.Write(Path.Combine(source, images), Path.Combine(source, labels),
                Path.Combine(output, images), Path.Combine(output, labels), perClass, FashionMnist.ClassCount);
            console.Line($"{(train ? "train" : "test")}: kept {indices.Length} images ({perClass} per class); the last one kept is #{indices[^1]} of the source");
            foreach (var name in new[] { images, labels })
                console.Line($"  {name}  sha256 of the uncompressed IDX data: {ContentSha256(Path.Combine(output, name))}");
        }
    }

    /// <summary>SHA-256 (hex) of a gzipped file's uncompressed content, which unlike the .gz bytes does not depend on the zlib version.</summary>
    public static string ContentSha256(string gzipPath)
    {
        using var file = File.OpenRead(gzipPath);
        using var content = new GZipStream(file, CompressionMode.Decompress);
        return Convert.ToHexStringLower(SHA256.HashData(content));
    }
}
