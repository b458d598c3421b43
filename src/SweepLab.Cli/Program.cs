using System.Globalization;
using Cocona;
using SweepLab.Cli.Commands;

// One number format whatever the machine's locale: Cocona parses option values with the current culture, so on a
// de-DE machine `--snr 0.3` was refused; sweep files, messages and tables all use '.'.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;

var builder = CoconaApp.CreateBuilder(args, options =>
{
    options.TreatPublicMethodsAsCommands = false;
    options.EnableShellCompletionSupport = false;
});
var app = builder.Build();
app.AddCommands<InspectCommand>();
app.AddCommands<SimulateCommand>();
app.AddCommands<ClassifyCommand>();
app.AddCommands<SweepCommands>();
app.AddCommands<SlurmCommands>();
app.AddCommands<ReportCommand>();
app.AddCommands<CompareCommand>();
app.Run();
