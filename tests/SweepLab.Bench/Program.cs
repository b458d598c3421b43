using System.Diagnostics;
using SweepLab.Bench;
using SweepLab.Compute;

// SweepLab's benchmarks (issue 8): kernels against an in-process roofline, one classification against RELION,
// sweeps of 1-256 configurations, preprocessing and STAR reading against disk speed, and the report's build and
// browser rendering (issue 17: speed expectations live here, not in unit tests), measured side by side in one
// process and written to bench-results/bench.csv and bench-results/bench.md.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var total = Stopwatch.StartNew();
using var device = ComputeDevice.Create(ComputeBackend.Auto, line => Console.WriteLine($"  device: {line}"));
var machine = MachineInfo.Detect(device.ToString());
Console.WriteLine($"SweepLab bench ({string.Join(", ", options.Sections)}{(options.Quick ? ", quick" : "")}) on {machine.LogicalCores} cores, {machine.CpuModel}, {device}");
foreach (string warning in device.Warnings) Console.WriteLine($"  device warning: {warning}");

string mode = string.Join(' ', options.Sections) + (options.Quick ? " --quick" : "");
var report = new BenchReport(machine, mode);
string root = Path.Combine(Path.GetTempPath(), $"sweeplab-bench-{Environment.ProcessId}");
int failures = 0;
using (var workspace = new BenchWorkspace(root, options.KeepTemporary))
{
    foreach (string section in options.Sections)
    {
        Console.WriteLine($"== {section}");
        var clock = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        double loadBefore = MachineInfo.LoadAverage();
        try
        {
            switch (section)
            {
                case KernelBench.Section: KernelBench.Run(device, workspace, report, options); break;
                case PreprocessBench.Section: PreprocessBench.Run(workspace, report, options); break;
                case RelionBench.Section: RelionBench.Run(workspace, report, options); break;
                case SweepBench.Section: SweepBench.Run(device, workspace, report, options); break;
                case ReportBench.Section: ReportBench.Run(workspace, report, options); break;
                case ScaleBench.Section: ScaleBench.Run(device, workspace, report, options); break;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failures++;
            report.Note(section, $"FAILED: {e.GetType().Name}: {e.Message}");
            Console.Error.WriteLine(e);
        }
        double wall = clock.Elapsed.TotalSeconds;
        double cpuShare = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / (wall * Environment.ProcessorCount);
        double loadAfter = MachineInfo.LoadAverage();
        report.Add("run", $"{section}: wall time", wall, "s");
        report.Add("run", $"{section}: machine load average (1 min) at start / end", Math.Max(loadBefore, loadAfter), "threads",
            $"{loadBefore:0.0} / {loadAfter:0.0} on {Environment.ProcessorCount} cores");
        report.Add("run", $"{section}: this process's CPU time / (wall x cores)", cpuShare, "fraction",
            section == RelionBench.Section ? "relion_refine's own CPU time is in a child process, not counted" : "");
        Console.WriteLine($"== {section} done in {wall:0.0} s");
    }
    if (options.KeepTemporary) Console.WriteLine($"datasets kept in {root}");
}

report.Note("run", $"whole bench {total.Elapsed.TotalSeconds:0} s; datasets simulated with SweepLab's simulator (seed {BenchWorkspace.SimulationSeed}).");
double maxLoad = report.Rows.Where(r => r.Section == "run" && r.Metric.Contains("load average", StringComparison.Ordinal)).Select(r => r.Value).DefaultIfEmpty(double.NaN).Max();
if (maxLoad > Environment.ProcessorCount + 0.5)
    report.Note("run", $"The machine was shared while this ran (1-minute load average up to {maxLoad:0.0} on {Environment.ProcessorCount} cores): absolute times are inflated by the other work; ratios measured side by side in the same section are affected less, but not immune, since the load varied.");
Directory.CreateDirectory(options.OutputDirectory);
string csv = Path.Combine(options.OutputDirectory, "bench.csv"), md = Path.Combine(options.OutputDirectory, "bench.md");
report.WriteCsv(csv);
report.WriteMarkdown(md, [.. options.Sections, "run"]);

Console.WriteLine();
Console.WriteLine("Targets:");
foreach (var t in report.Targets) Console.WriteLine($"  {t.Verdict,-40} {t.Name}: {t.Measured} (goal {t.Goal})");
Console.WriteLine($"wrote {csv} and {md} in {total.Elapsed.TotalSeconds:0} s");
return failures == 0 ? 0 : 1;
