using System.Globalization;

namespace SweepLab.Bench;

public enum Harness { BenchmarkDotNet, Stopwatch }

/// <summary>Command line of the bench: <c>[all|kernels|relion|sweep|preprocess|report|scale]... [--quick] [--out DIR] [--keep]
/// [--harness bdn|stopwatch] [--relion-timeout SECONDS] [--scale-particles N] [--scale-data DIR]</c>. <c>scale</c> (100,000
/// particles of 256 px; tens of minutes) runs only when named, not with <c>all</c>.</summary>
public sealed record BenchOptions
{
    public static readonly string[] AllSections = ["kernels", "preprocess", "relion", "sweep", "report"];
    /// <summary>Every section in run order; the ones not in <see cref="AllSections"/> run only when named.</summary>
    public static readonly string[] KnownSections = [.. AllSections, ScaleBench.Section];

    public IReadOnlyList<string> Sections { get; init; } = AllSections;
    public bool Quick { get; init; }
    public string OutputDirectory { get; init; } = "bench-results";
    public bool KeepTemporary { get; init; }
    public Harness Harness { get; init; } = Harness.BenchmarkDotNet;
    public double RelionTimeoutSeconds { get; init; } = 3600;
    /// <summary>Particles of the scale section's set (default 100,000; 5,000 with --quick).</summary>
    public int? ScaleParticles { get; init; }
    /// <summary>A folder holding the scale section's set from an earlier run (simulated again when its settings differ).</summary>
    public string? ScaleData { get; init; }

    public const string Usage =
        "usage: SweepLab.Bench [all|kernels|relion|sweep|preprocess|report|scale]... [--quick] [--out DIR] [--keep] [--harness bdn|stopwatch] [--relion-timeout SECONDS] [--scale-particles N] [--scale-data DIR]";

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        var sections = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{a} needs a value\n{Usage}");
            switch (a)
            {
                case "all": sections.AddRange(AllSections); break;
                case "kernels" or "relion" or "sweep" or "preprocess" or "report" or ScaleBench.Section: sections.Add(a); break;
                case "--scale-data": options = options with { ScaleData = Path.GetFullPath(Next()) }; break;
                case "--scale-particles":
                    string count = Next();
                    if (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out int particles) || particles < 100)
                        throw new ArgumentException($"--scale-particles {count}: must be an integer >= 100");
                    options = options with { ScaleParticles = particles };
                    break;
                case "--quick": options = options with { Quick = true }; break;
                case "--keep": options = options with { KeepTemporary = true }; break;
                case "--out": options = options with { OutputDirectory = Next() }; break;
                case "--harness":
                    options = options with
                    {
                        Harness = Next() switch
                        {
                            "bdn" or "benchmarkdotnet" => Harness.BenchmarkDotNet,
                            "stopwatch" => Harness.Stopwatch,
                            var h => throw new ArgumentException($"--harness {h}: must be bdn or stopwatch\n{Usage}"),
                        },
                    };
                    break;
                case "--relion-timeout":
                    string text = Next();
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || !(seconds > 0))
                        throw new ArgumentException($"--relion-timeout {text}: must be a positive number of seconds");
                    options = options with { RelionTimeoutSeconds = seconds };
                    break;
                default: throw new ArgumentException($"unknown argument '{a}'\n{Usage}");
            }
        }
        if (sections.Count > 0) options = options with { Sections = KnownSections.Where(sections.Contains).ToList() };
        return options;
    }
}
