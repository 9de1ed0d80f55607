using System.Diagnostics;
using System.Runtime.InteropServices;
using Fovea.Tests.Support;
using Fovea.Vision.Training;

namespace Fovea.Tests.Cli;

/// <summary>
/// `fovea train` as a separate process: a run killed with SIGKILL mid-epoch, or stopped with Ctrl+C (SIGINT), and
/// then resumed, ends with exactly the weights of a run never interrupted.
/// </summary>
public sealed class TrainProcessTests
{
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private const int SigInt = 2;

    /// <summary>The built command (Fovea.Cli.dll) beside the test binaries.</summary>
    private static string CliDll
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "Fovea.Cli.dll");
            Assert.True(File.Exists(path) && File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json")), $"{path} (and its runtimeconfig) should be built beside the tests.");
            return path;
        }
    }

    private static Process Start(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(CliDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("FOVEA_NUM_THREADS");
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return process;
    }

    /// <summary>Runs to the end; returns the exit code and everything printed.</summary>
    private static (int Code, string Output) RunToEnd(IEnumerable<string> args)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "fovea train did not finish within 5 minutes");
        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>Starts a run and, as soon as its first step checkpoint exists, stops it with <paramref name="stop"/>.</summary>
    private static (int Code, string Output) StartAndStop(IEnumerable<string> args, string checkpoint, Action<Process> stop)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!File.Exists(checkpoint))
        {
            if (process.HasExited) Assert.Fail($"fovea train ended (code {process.ExitCode}) before writing a checkpoint:\n{output.Result}{error.Result}");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "no checkpoint after 3 minutes");
            Thread.Sleep(5);
        }
        Assert.False(process.HasExited, "the run finished before it could be interrupted; give it more steps");
        stop(process);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "the stopped run did not exit");
        return (process.ExitCode, output.Result + error.Result);
    }

    private static void AssertSameWeights(string expectedRun, string actualRun)
    {
        var expected = Checkpoint.Load(Path.Combine(expectedRun, RunFolder.LastCheckpoint));
        var actual = Checkpoint.Load(Path.Combine(actualRun, RunFolder.LastCheckpoint));
        Assert.Equal(expected.ModelState.Keys, actual.ModelState.Keys);
        foreach (var (name, tensor) in expected.ModelState) FileAssert.SameFloats(tensor, actual.ModelState[name], "model." + name);
        foreach (var (name, tensor) in expected.OptimizerState) FileAssert.SameFloats(tensor, actual.OptimizerState[name], "optimizer." + name);
        Assert.Equal(expected.Training!.Step, actual.Training!.Step);
        Assert.Equal(expected.Training.History.Select(m => (m.TrainLoss, m.ValidationAccuracy)), actual.Training.History.Select(m => (m.TrainLoss, m.ValidationAccuracy)));
        Assert.Equal(File.ReadAllLines(Path.Combine(expectedRun, RunFolder.Metrics)).Length, File.ReadAllLines(Path.Combine(actualRun, RunFolder.Metrics)).Length);
        Assert.Empty(Directory.GetFiles(actualRun, "*.tmp"));
    }

    [Fact]
    public void KilledOrInterruptedRunsResumeToTheSameWeightsBitForBit()
    {
        using var folder = new TempDirectory();
        // 400 training images: 25 steps an epoch, 500 in all. The signals arrive after the first checkpoint (step 3);
        // the remaining ~497 steps give them time to land before the run could end on its own (fast kernels run
        // a step of batch 16 in about a millisecond; with 150 steps a heavily loaded machine once let a run finish
        // before its SIGINT arrived).
        CliTestSupport.WriteSmallSubset(folder, trainPerClass: 40, testPerClass: 4);
        string[] Args(string run) =>
        [
            "train", "--model", "lenet5", "--data", $"fashion-mnist:{folder.Path}", "--epochs", "20", "--batch", "16",
            "--lr", "0.05", "--scheduler", "step", "--step-size", "5", "--augment", "--seed", "7", "--threads", "1",
            "--checkpoint-every", "3", "--out", run,
        ];
        var straight = folder.File("straight");
        var (code, output) = RunToEnd(Args(straight));
        Assert.True(code == 0, output);
        Assert.Equal(500, Checkpoint.Load(Path.Combine(straight, RunFolder.LastCheckpoint)).Training!.Step);

        // SIGKILL as soon as the first step checkpoint exists: nothing runs in the process after that.
        var killed = folder.File("killed");
        StartAndStop(Args(killed), Path.Combine(killed, RunFolder.LastCheckpoint), process => process.Kill(entireProcessTree: true));
        var atKill = Checkpoint.Load(Path.Combine(killed, RunFolder.LastCheckpoint)).Training!;
        // Normally step 3 or 6 of 500, mid-epoch (batch 4 or 7 comes next); only a badly starved test thread could
        // let the run reach the epoch-end checkpoint (step 25) first, which resumes just as exactly.
        Assert.True(atKill.Step < 500, $"the checkpoint left by the kill is at step {atKill.Step}");
        (code, output) = RunToEnd([.. Args(killed), "--resume"]);
        Assert.True(code == 0, output);
        Assert.Contains($"Resuming from {Path.Combine(killed, RunFolder.LastCheckpoint)}", output);
        AssertSameWeights(straight, killed);

        // Ctrl+C: the run saves a checkpoint after the current step and exits with 130.
        var interrupted = folder.File("interrupted");
        (code, output) = StartAndStop(Args(interrupted), Path.Combine(interrupted, RunFolder.LastCheckpoint), process => Assert.Equal(0, kill(process.Id, SigInt)));
        Assert.True(code == 130, $"exit code {code}:\n{output}");
        Assert.Contains("Interrupted. Checkpoint saved to", output);
        (code, output) = RunToEnd([.. Args(interrupted), "--resume"]);
        Assert.True(code == 0, output);
        AssertSameWeights(straight, interrupted);
    }
}
