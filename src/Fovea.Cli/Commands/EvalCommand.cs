using System.CommandLine;
using System.Globalization;
using Fovea.Cli.Training;
using Fovea.Vision.Datasets;
using Fovea.Vision.Training;
using Fovea.Vision.Transforms;
using Spectre.Console;

namespace Fovea.Cli.Commands;

/// <summary>`fovea eval`: a checkpoint's accuracy, per-class accuracy and confusion matrix on a dataset's test split.</summary>
internal static class EvalCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by fovea train (best.safetensors or last.safetensors).", Required = true, HelpName = "FILE" };
        var data = new Option<string>("--data") { Description = $"The dataset: {DataSource.Syntax}.", Required = true, HelpName = "KIND:DIR" }
            .Check(DataSource.Problem);
        var batch = new Option<int>("--batch") { Description = "Images per batch.", DefaultValueFactory = _ => 256 }.AtLeastOne();
        var limit = new Option<int?>("--limit") { Description = "Evaluate on the first N images only.", HelpName = "N" }
            .Check(v => v is null or >= 1 ? null : $"must be >= 1, got {v}.");
        var train = new Option<bool>("--train-split") { Description = "Evaluate on the training split instead of the test split." };
        var confusion = new Option<string?>("--confusion-png") { Description = "Also draw the confusion matrix into this PNG file.", HelpName = "FILE" };
        var command = new Command("eval", "Evaluate a checkpoint: accuracy, top-5, per-class accuracy and confusion matrix.")
        {
            checkpoint, data, batch, limit, train, confusion,
        };
        command.SetAction(parse =>
        {
            Run(parse.GetValue(checkpoint)!, DataSource.Parse(parse.GetValue(data)!), parse.GetValue(batch), parse.GetValue(limit),
                parse.GetValue(train), parse.GetValue(confusion), console);
            return 0;
        });
        return command;
    }

    public static EvaluationResult Run(string checkpointPath, DataSource data, int batchSize, int? limit, bool trainSplit, string? confusionPng, IAnsiConsole console)
    {
        var (model, description) = Checkpoint.LoadModel(checkpointPath);
        var shape = new Shape(description.Channels, description.Height, description.Width);
        IImageDataset dataset = data.Load(trainSplit, shape, description.ClassNames);
        if (limit is int n) dataset = Subset.First(dataset, n);
        if (dataset.Count == 0) throw new CliException($"--data {data}: the {(trainSplit ? "training" : "test")} split holds no images.");
        if (!dataset.ClassNames.SequenceEqual(description.ClassNames))
            throw new CliException($"--data {data} has classes [{string.Join(", ", dataset.ClassNames)}]; the checkpoint was trained on [{string.Join(", ", description.ClassNames)}].");
        var sample = dataset.GetImage(0);
        if (sample.Channels != description.Channels || sample.Height != description.Height || sample.Width != description.Width)
            throw new CliException($"--data {data} has images of {sample.DescribeShape()}; the checkpoint's model takes ({description.Channels}, {description.Height}, {description.Width}).");
        var loader = new DataLoader(dataset, batchSize, transform: new Normalize(description.Mean, description.Std));
        var result = Evaluation.Evaluate(model, loader);

        console.Line(Invariant($"{description.Name} from {checkpointPath} on {dataset.Count} {(trainSplit ? "training" : "test")} images of {data}"));
        console.Line(Invariant($"Accuracy {100 * result.Accuracy:F2}% ({result.Confusion.Accuracy * result.Count:F0}/{result.Count}), top-5 {100 * result.Top5Accuracy:F2}%, mean loss {result.Loss:F4}"));
        console.Write(PerClassTable(result, description.ClassNames));
        if (description.NumClasses <= 20) console.Write(ConfusionTable(result.Confusion, description.ClassNames));
        else console.Line($"(the {description.NumClasses}-class confusion matrix is too wide to print; use --confusion-png FILE)");
        if (confusionPng is not null)
        {
            TrainingPlots.WriteConfusionMatrix(confusionPng, result.Confusion, description.ClassNames,
                Invariant($"{description.Name}: accuracy {100 * result.Accuracy:F2}% on {result.Count} images"));
            console.Line($"Confusion matrix drawn to {confusionPng}");
        }
        return result;
    }

    private static Table PerClassTable(EvaluationResult result, IReadOnlyList<string> classNames)
    {
        var table = new Table { Title = new TableTitle("Per-class accuracy") };
        table.AddColumn("Class");
        table.AddColumn(new TableColumn("Images").RightAligned());
        table.AddColumn(new TableColumn("Correct").RightAligned());
        table.AddColumn(new TableColumn("Accuracy").RightAligned());
        var perClass = result.PerClassAccuracy();
        var rows = result.Confusion.ToRows();
        for (int c = 0; c < classNames.Count; c++)
            table.AddRow(Markup.Escape(classNames[c]), rows[c].Sum().ToString(CultureInfo.InvariantCulture), rows[c][c].ToString(CultureInfo.InvariantCulture),
                double.IsNaN(perClass[c]) ? "-" : Invariant($"{100 * perClass[c]:F1}%"));
        return table;
    }

    private static Table ConfusionTable(ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        var table = new Table { Title = new TableTitle("Confusion matrix (rows: actual, columns: predicted)") };
        table.AddColumn("");
        for (int c = 0; c < classNames.Count; c++) table.AddColumn(new TableColumn(c.ToString(CultureInfo.InvariantCulture)).RightAligned());
        var rows = matrix.ToRows();
        for (int actual = 0; actual < classNames.Count; actual++)
            table.AddRow([Markup.Escape($"{actual} {classNames[actual]}"), .. rows[actual].Select(v => v.ToString(CultureInfo.InvariantCulture))]);
        return table;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
