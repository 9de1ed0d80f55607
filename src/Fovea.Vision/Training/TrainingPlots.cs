using Fovea.Serialization;
using Fovea.Vision.Imaging;
using SkiaSharp;

namespace Fovea.Vision.Training;

/// <summary>The pictures of a run: loss and accuracy curves (ScottPlot) and a confusion matrix (SkiaSharp), as PNG files written atomically.</summary>
public static class TrainingPlots
{
    /// <summary>Training and validation loss per epoch.</summary>
    public static void WriteLossCurve(string path, IReadOnlyList<EpochMetrics> history, string title)
    {
        var plot = NewPlot(title, "cross-entropy loss", ScottPlot.Alignment.UpperRight);
        AddSeries(plot, history, m => m.TrainLoss, "training", ScottPlot.Colors.C0);
        AddSeries(plot, history, m => m.ValidationLoss, "validation", ScottPlot.Colors.C1);
        Save(plot, path);
    }

    /// <summary>Training and validation accuracy (and validation top-5) per epoch, in percent.</summary>
    public static void WriteAccuracyCurve(string path, IReadOnlyList<EpochMetrics> history, string title)
    {
        var plot = NewPlot(title, "accuracy (%)", ScottPlot.Alignment.LowerRight);
        AddSeries(plot, history, m => 100 * m.TrainAccuracy, "training", ScottPlot.Colors.C0);
        AddSeries(plot, history, m => 100 * m.ValidationAccuracy, "validation", ScottPlot.Colors.C1);
        AddSeries(plot, history, m => 100 * m.ValidationTop5Accuracy, "validation top-5", ScottPlot.Colors.C2);
        Save(plot, path);
    }

    private static ScottPlot.Plot NewPlot(string title, string yLabel, ScottPlot.Alignment legend)
    {
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        plot.ShowLegend(legend);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        return plot;
    }

    private static void AddSeries(ScottPlot.Plot plot, IReadOnlyList<EpochMetrics> history, Func<EpochMetrics, double?> value, string label, ScottPlot.Color color)
    {
        var points = history.Where(m => value(m) is double v && double.IsFinite(v)).ToArray();
        if (points.Length == 0) return;
        var scatter = plot.Add.Scatter(points.Select(m => (double)m.Epoch).ToArray(), points.Select(m => value(m)!.Value).ToArray(), color);
        scatter.LegendText = label;
        scatter.LineWidth = 2;
        scatter.MarkerSize = 6;
    }

    private static void Save(ScottPlot.Plot plot, string path)
    {
        var bytes = plot.GetImageBytes(800, 500, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// The confusion matrix as a grid: rows are actual classes, columns predicted classes; each cell shows its
    /// count, shaded by its share of the row (so each class's recall reads along the diagonal).
    /// </summary>
    public static void WriteConfusionMatrix(string path, ConfusionMatrix matrix, IReadOnlyList<string> classNames, string title)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count != matrix.ClassCount)
            throw new ArgumentException($"{classNames.Count} class names for a {matrix.ClassCount}-class matrix.", nameof(classNames));
        int n = matrix.ClassCount;
        int cell = n <= 12 ? 56 : n <= 30 ? 28 : 10;
        using var font = new SKFont(SKTypeface.Default, cell >= 56 ? 14 : 10);
        using var titleFont = new SKFont(SKTypeface.Default, 18);
        float labelWidth = classNames.Max(name => font.MeasureText(name)) + 12;
        int left = (int)labelWidth + 30, top = 50;
        int width = left + n * cell + 20, height = top + n * cell + (int)labelWidth + 30;
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var fill = new SKPaint { Style = SKPaintStyle.Fill };
        using var grid = new SKPaint { Color = new SKColor(200, 200, 200), Style = SKPaintStyle.Stroke };

        canvas.DrawText(title, width / 2f, 28, SKTextAlign.Center, titleFont, ink);
        var rows = matrix.ToRows();
        for (int actual = 0; actual < n; actual++)
        {
            long rowTotal = rows[actual].Sum();
            for (int predicted = 0; predicted < n; predicted++)
            {
                long count = rows[actual][predicted];
                double share = rowTotal == 0 ? 0 : (double)count / rowTotal;
                var rect = SKRect.Create(left + predicted * cell, top + actual * cell, cell, cell);
                // White to dark blue by the row share.
                fill.Color = new SKColor((byte)(255 - 222 * share), (byte)(255 - 180 * share), (byte)(255 - 75 * share));
                canvas.DrawRect(rect, fill);
                canvas.DrawRect(rect, grid);
                if (cell >= 28 && count > 0)
                {
                    ink.Color = share > 0.5 ? SKColors.White : SKColors.Black;
                    canvas.DrawText(count.ToString(System.Globalization.CultureInfo.InvariantCulture), rect.MidX, rect.MidY + font.Size / 3, SKTextAlign.Center, font, ink);
                }
            }
        }
        ink.Color = SKColors.Black;
        for (int c = 0; c < n; c++)
        {
            // Actual classes on the left, predicted classes below (rotated).
            canvas.DrawText(classNames[c], left - 6, top + c * cell + cell / 2f + font.Size / 3, SKTextAlign.Right, font, ink);
            canvas.Save();
            canvas.Translate(left + c * cell + cell / 2f + font.Size / 3, top + n * cell + 6);
            canvas.RotateDegrees(90);
            canvas.DrawText(classNames[c], 0, 0, SKTextAlign.Left, font, ink);
            canvas.Restore();
        }
        canvas.Save();
        canvas.Translate(14, top + n * cell / 2f);
        canvas.RotateDegrees(-90);
        canvas.DrawText("actual", 0, 0, SKTextAlign.Center, font, ink);
        canvas.Restore();
        canvas.DrawText("predicted", left + n * cell / 2f, height - 8, SKTextAlign.Center, font, ink);
        canvas.Flush();
        ImageFiles.WritePng(path, bitmap);
    }
}
