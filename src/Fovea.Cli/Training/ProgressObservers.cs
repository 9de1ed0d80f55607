using System.Globalization;
using Fovea.Vision.Training;
using Spectre.Console;

namespace Fovea.Cli.Training;

/// <summary>Plain progress lines for redirected output (logs, CI): about ten lines per epoch, then a summary line.</summary>
internal sealed class PlainLinesObserver(IAnsiConsole console) : ITrainingObserver
{
    private int reportEvery = 1;

    public void EpochStarted(int epoch, int epochs, int batches, int firstBatch)
    {
        reportEvery = Math.Max(1, batches / 10);
        if (firstBatch > 1) console.Line(Format($"epoch {epoch}/{epochs}: resuming at batch {firstBatch}/{batches}"));
    }

    public void BatchFinished(BatchProgress p)
    {
        if (p.Batch % reportEvery != 0 && p.Batch != p.Batches) return;
        int width = p.Batches.ToString(CultureInfo.InvariantCulture).Length;
        console.Line(Format($"epoch {p.Epoch}/{p.Epochs}  batch {p.Batch.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{p.Batches}  loss {p.MeanLoss:F4}  acc {100 * p.Accuracy:F1}%  {p.ImagesPerSecond:F0} img/s  ETA {Eta(p.Remaining)}"));
    }

    public void EpochFinished(EpochMetrics m, int epochs) => console.Line(EpochLine(m, epochs));

    public static string EpochLine(EpochMetrics m, int epochs) =>
        Format($"epoch {m.Epoch}/{epochs}  train loss {m.TrainLoss:F4}  train acc {100 * m.TrainAccuracy:F1}%") +
        (m.ValidationAccuracy is double accuracy ? Format($"  test loss {m.ValidationLoss:F4}  test acc {100 * accuracy:F1}%  top-5 {100 * m.ValidationTop5Accuracy:F1}%") : "") +
        Format($"  lr {m.LearningRate:G4}  {m.TrainSeconds:F1} s  {m.ImagesPerSecond:F0} img/s");

    /// <summary>h:mm:ss or m:ss.</summary>
    public static string Eta(TimeSpan remaining) =>
        remaining.TotalHours >= 1 ? remaining.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : remaining.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A Spectre.Console progress bar per epoch, for an interactive terminal. Use inside Progress.Start.</summary>
internal sealed class ProgressBarObserver(ProgressContext context) : ITrainingObserver
{
    private ProgressTask? task;

    public void EpochStarted(int epoch, int epochs, int batches, int firstBatch)
    {
        task = context.AddTask($"epoch {epoch}/{epochs}", true, batches);
        task.Value = firstBatch - 1;
    }

    public void BatchFinished(BatchProgress p)
    {
        if (task is null) return;
        task.Value = p.Batch;
        task.Description = string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch}/{p.Epochs}  loss {p.MeanLoss:F4}  acc {100 * p.Accuracy:F1}%  {p.ImagesPerSecond:F0} img/s  ETA {PlainLinesObserver.Eta(p.Remaining)}");
    }

    public void EpochFinished(EpochMetrics m, int epochs)
    {
        if (task is null) return;
        string test = m.ValidationAccuracy is double accuracy ? string.Create(CultureInfo.InvariantCulture, $"  [green]test {100 * accuracy:F1}%[/]") : "";
        task.Description = string.Create(CultureInfo.InvariantCulture,
            $"epoch {m.Epoch}/{epochs}  loss {m.TrainLoss:F4}  train {100 * m.TrainAccuracy:F1}%{test}  {m.TrainSeconds:F1} s  {m.ImagesPerSecond:F0} img/s");
        task.StopTask();
    }
}

internal static class TrainingProgress
{
    /// <summary>A live progress bar only on a real terminal; plain lines when output is redirected.</summary>
    public static bool IsInteractive(IAnsiConsole console) =>
        console.Profile.Out.IsTerminal && console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;

    /// <summary>Runs <paramref name="train"/> with a progress bar on a terminal, else with plain lines.</summary>
    public static T Run<T>(IAnsiConsole console, Func<ITrainingObserver, T> train) =>
        IsInteractive(console)
            ? console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(context => train(new ProgressBarObserver(context)))
            : train(new PlainLinesObserver(console));
}
