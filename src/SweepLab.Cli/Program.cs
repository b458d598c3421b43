using Cocona;
using SweepLab.Cli.Commands;

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
