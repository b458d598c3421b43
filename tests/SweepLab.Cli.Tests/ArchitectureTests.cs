using System.Reflection;

namespace SweepLab.Cli.Tests;

/// <summary>Holds the one-way dependency arrows of STYLE.md's layer table: each layer may use only those below it.</summary>
public class ArchitectureTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["SweepLab.Core"] = [],
        ["SweepLab.Formats"] = ["SweepLab.Core"],
        ["SweepLab.Compute"] = ["SweepLab.Core"],
        ["SweepLab.Simulation"] = ["SweepLab.Core", "SweepLab.Formats"],
        ["SweepLab.Engine"] = ["SweepLab.Core", "SweepLab.Compute"],
        ["SweepLab.Sweeps"] = ["SweepLab.Core"],
        ["SweepLab.Reports"] = ["SweepLab.Core", "SweepLab.Sweeps", "SweepLab.Formats"],
    };

    /// <summary>Heavy or outward-facing packages and the only projects allowed to use them.</summary>
    private static readonly Dictionary<string, string[]> PackageOwners = new()
    {
        ["ILGPU"] = ["SweepLab.Compute"],
        ["Cocona"] = ["sweeplab"],
        ["YamlDotNet"] = ["sweeplab", "SweepLab.Sweeps"],
        ["Plotly.NET"] = ["SweepLab.Reports"],
    };

    private static IEnumerable<Assembly> SweepLabAssemblies()
    {
        var cli = typeof(SweepLab.Cli.CliMarker).Assembly;
        var seen = new Dictionary<string, Assembly> { [cli.GetName().Name!] = cli };
        var queue = new Queue<Assembly>([cli]);
        while (queue.Count > 0)
        {
            foreach (var reference in queue.Dequeue().GetReferencedAssemblies())
            {
                if (!(reference.Name!.StartsWith("SweepLab", StringComparison.Ordinal)) || seen.ContainsKey(reference.Name)) continue;
                var loaded = Assembly.Load(reference);
                seen[reference.Name] = loaded;
                queue.Enqueue(loaded);
            }
        }
        return seen.Values;
    }

    [Fact]
    public void ProjectReferencesPointTowardTheCore()
    {
        var assemblies = SweepLabAssemblies().ToList();
        Assert.Contains(assemblies, a => a.GetName().Name == "SweepLab.Core");
        foreach (var assembly in assemblies)
        {
            string name = assembly.GetName().Name!;
            if (!Allowed.TryGetValue(name, out var allowed)) continue;
            var used = assembly.GetReferencedAssemblies().Select(r => r.Name!).Where(n => n.StartsWith("SweepLab", StringComparison.Ordinal));
            foreach (var dependency in used)
                Assert.True(allowed.Contains(dependency), $"{name} must not depend on {dependency}");
        }
    }

    [Fact]
    public void HeavyPackagesStayInTheirLayer()
    {
        foreach (var assembly in SweepLabAssemblies())
        {
            string name = assembly.GetName().Name!;
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                foreach (var (package, owners) in PackageOwners)
                {
                    if (reference.Name!.StartsWith(package, StringComparison.Ordinal))
                        Assert.True(owners.Contains(name), $"{name} references {reference.Name}; only {string.Join(", ", owners)} may");
                }
            }
        }
    }
}
