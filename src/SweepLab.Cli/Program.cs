using System.Globalization;
using Cocona;
using Cocona.Command.Dispatcher;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SweepLab.Cli;
using SweepLab.Cli.Commands;

// One number format whatever the machine's locale: Cocona parses option values with the current culture, so on a
// de-DE machine `--snr 0.3` was refused; sweep files, messages and tables all use '.'.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;

// Ctrl-C and SIGTERM are ours, not the generic host's: the host's console lifetime swallowed them and waited for
// the command, then exited 0 with nothing written (see Interruption).
Interruption.Install();

// classify's engine knobs are declared once (Engine's Knobs) and read here, not bound by Cocona one property each.
bool classify = args.Length > 0 && args[0] == SweepLab.Cli.KnobArguments.Command;
if (classify)
{
    try
    {
        (args, var knobs) = SweepLab.Cli.KnobArguments.Extract(args);
        ClassifyCommand.Knobs = knobs;
    }
    catch (SweepLab.Cli.UserInputException e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
}

var builder = CoconaApp.CreateBuilder(args, options =>
{
    options.TreatPublicMethodsAsCommands = false;
    options.EnableShellCompletionSupport = false;
});
builder.Services.AddSingleton<IHostLifetime, Interruption.SilentLifetime>();
var app = builder.Build();
// Argument mistakes are bad input like any other: exit 2 with the option named (Cocona's own codes are 1 and 129).
app.Services.GetRequiredService<ICoconaCommandDispatcherPipelineBuilder>().UseMiddleware(ArgumentErrors.RejectUnknownOptions);
app.UseFilter(new ArgumentErrors.BindingFilter());
app.AddCommands<InspectCommand>();
app.AddCommands<SimulateCommand>();
app.AddCommands<ClassifyCommand>();
app.AddCommands<KnobsCommand>();
app.AddCommands<ExportCommand>();
app.AddCommands<SweepCommands>();
app.AddCommands<SlurmCommands>();
app.AddCommands<ReportCommand>();
app.AddCommands<CompareCommand>();
app.Run();
if (classify && args.Any(a => a is "--help" or "-h"))
    Console.Write(SweepLab.Cli.KnobArguments.Help());
return Interruption.ExitCodeOr(Environment.ExitCode);
