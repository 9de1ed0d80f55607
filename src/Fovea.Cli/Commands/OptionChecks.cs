using System.CommandLine;

namespace Fovea.Cli.Commands;

/// <summary>Range checks for options, reported as parse errors (exit code 2) before any work.</summary>
internal static class OptionChecks
{
    /// <summary>Adds a check; <paramref name="problem"/> returns null when the value is fine, else what is wrong with it.</summary>
    public static Option<T> Check<T>(this Option<T> option, Func<T, string?> problem)
    {
        option.Validators.Add(result =>
        {
            T value;
            try { value = result.GetValueOrDefault<T>(); }
            catch (InvalidOperationException) { return; }   // not a T at all: the parser reports that itself
            if (problem(value) is { } message) result.AddError($"{option.Name} {message}");
        });
        return option;
    }

    public static Option<int> AtLeastOne(this Option<int> option) => option.Check(v => v >= 1 ? null : $"must be >= 1, got {v}.");

    /// <summary>Accepts only the given values (compared exactly; they are listed in the help).</summary>
    public static Option<string> OneOf(this Option<string> option, params string[] values)
    {
        option.AcceptOnlyFromAmong(values);
        return option;
    }
}
