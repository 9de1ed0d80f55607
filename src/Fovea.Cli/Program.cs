using Spectre.Console;

return Fovea.Cli.FoveaApp.Run(args, AnsiConsole.Console, Console.Out, Console.Error);
