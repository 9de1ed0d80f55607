using System.Globalization;
using Spectre.Console;

namespace Fovea.Cli.Demo;

/// <summary>Plain progress lines for redirected output (logs, CI): about ten lines per epoch, then a summary line.</summary>
internal sealed class PlainLinesObserver(IAnsiConsole console) : ITrainingObserver
{
    private int reportEvery = 1;

    public void EpochStarted(int epoch, int epochs, int batches) => reportEvery = Math.Max(1, batches / 10);

    public void BatchFinished(BatchProgress p)
    {
        if (p.Batch % reportEvery != 0 && p.Batch != p.Batches) return;
        int width = p.Batches.ToString(CultureInfo.InvariantCulture).Length;
        console.Line(Format($"epoch {p.Epoch}/{p.Epochs}  batch {p.Batch.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{p.Batches}  loss {p.MeanLoss:F4}  acc {100 * p.Accuracy:F1}%  {p.ImagesPerSecond:F0} img/s"));
    }

    public void EpochFinished(EpochResult r) => console.Line(EpochLine(r));

    public static string EpochLine(EpochResult r) =>
        Format($"epoch {r.Epoch}/{r.Epochs}  train loss {r.TrainLoss:F4}  train acc {100 * r.TrainAccuracy:F1}%  test acc {100 * r.TestAccuracy:F1}%  {r.TrainSeconds:F1} s  {r.ImagesPerSecond:F0} img/s");

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A Spectre.Console progress bar per epoch, for an interactive terminal. Use inside Progress.Start.</summary>
internal sealed class ProgressBarObserver(ProgressContext context) : ITrainingObserver
{
    private ProgressTask? task;

    public void EpochStarted(int epoch, int epochs, int batches) =>
        task = context.AddTask($"epoch {epoch}/{epochs}", true, batches);

    public void BatchFinished(BatchProgress p)
    {
        if (task is null) return;
        task.Value = p.Batch;
        task.Description = string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch}/{p.Epochs}  loss {p.MeanLoss:F4}  acc {100 * p.Accuracy:F1}%  {p.ImagesPerSecond:F0} img/s");
    }

    public void EpochFinished(EpochResult r)
    {
        if (task is null) return;
        task.Description = string.Create(CultureInfo.InvariantCulture,
            $"epoch {r.Epoch}/{r.Epochs}  loss {r.TrainLoss:F4}  train {100 * r.TrainAccuracy:F1}%  [green]test {100 * r.TestAccuracy:F1}%[/]  {r.TrainSeconds:F1} s");
        task.StopTask();
    }
}
