using Cocona;
using SweepLab.Engine.Configuration;

namespace SweepLab.Cli.Commands;

internal sealed class KnobsCommand
{
    [Command("knobs", Description = "Every engine setting (sweep-file key, classify option, values, default) as a Markdown table, from the engine's declarations.")]
    public int Knobs() => CommandGuard.Run(() =>
    {
        Console.Write(Engine.Configuration.Knobs.MarkdownTable());
        return CommandGuard.ExitOk;
    });
}
