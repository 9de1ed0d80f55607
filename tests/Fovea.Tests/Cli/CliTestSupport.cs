using Fovea.Cli.Demo;
using Fovea.Tests.Support;
using Fovea.Vision.Datasets;
using Spectre.Console;

namespace Fovea.Tests.Cli;

internal static class CliTestSupport
{
    /// <summary>A non-interactive, colourless Spectre console writing into <paramref name="output"/> (like redirected output).</summary>
    public static IAnsiConsole Console(StringWriter output) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
    });

    public static string ShippedData => DataDirectory.Find(null, AppContext.BaseDirectory);

    /// <summary>A small class-balanced copy of the shipped subset in <paramref name="folder"/>.</summary>
    public static void WriteSmallSubset(TempDirectory folder, int trainPerClass, int testPerClass)
    {
        foreach (var (train, perClass) in new[] { (true, trainPerClass), (false, testPerClass) })
        {
            var (images, labels) = FashionMnist.FileNames(train);
            ClassBalancedSubset.Write(Path.Combine(ShippedData, images), Path.Combine(ShippedData, labels),
                folder.File(images), folder.File(labels), perClass, FashionMnist.ClassCount);
        }
    }

    /// <summary>The first <paramref name="count"/> images of the shipped split.</summary>
    public static LabeledImages Shipped(bool train, int count)
    {
        var all = FashionMnist.Load(ShippedData, train, FashionMnist.Normalization);
        var batch = all.Gather([.. Enumerable.Range(0, count)]);
        return new LabeledImages(batch.Images, batch.Labels, all.ClassCount);
    }
}
