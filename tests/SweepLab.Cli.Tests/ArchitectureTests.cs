using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace SweepLab.Cli.Tests;

/// <summary>
/// Holds the one-way dependency arrows of STYLE.md's layer table: each layer may use only those below it, and each
/// project uses exactly the packages listed here. The lists are checked against the csproj files themselves, so a
/// package added to a project (or dropped from one) fails here until the table says so.
/// </summary>
public partial class ArchitectureTests
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
        ["SweepLab.Cli"] = ["SweepLab.Core", "SweepLab.Formats", "SweepLab.Compute", "SweepLab.Simulation", "SweepLab.Engine", "SweepLab.Sweeps", "SweepLab.Reports"],
    };

    /// <summary>Every PackageReference of every project under src/, by project: ILGPU in Compute only, YAML and the
    /// console in the CLI only, plotting and data frames in Reports only.</summary>
    private static readonly Dictionary<string, string[]> Packages = new()
    {
        ["SweepLab.Core"] = ["MathNet.Numerics"],
        ["SweepLab.Formats"] = [],
        ["SweepLab.Compute"] = ["ILGPU"],
        ["SweepLab.Simulation"] = ["CsvHelper"],
        ["SweepLab.Engine"] = ["MathNet.Numerics"],
        ["SweepLab.Sweeps"] = ["CsvHelper"],
        ["SweepLab.Reports"] = ["Plotly.NET", "Plotly.NET.CSharp", "Microsoft.Data.Analysis", "CsvHelper"],
        ["SweepLab.Cli"] = ["Cocona", "YamlDotNet", "CsvHelper"],
    };

    /// <summary>A project under src/ as its csproj declares it.</summary>
    private sealed record Project(string Name, string AssemblyName, IReadOnlySet<string> Packages, IReadOnlySet<string> References);

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SweepLab.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("SweepLab.sln not found above the test binaries");
    }

    /// <summary>PackageReference items without a condition in a props file, which every project below it gets.</summary>
    private static IEnumerable<string> InheritedPackages(string root)
    {
        foreach (string props in new[] { Path.Combine(root, "Directory.Build.props"), Path.Combine(root, "src", "Directory.Build.props") }.Where(File.Exists))
            foreach (var item in XDocument.Load(props).Descendants("PackageReference"))
                if (item.Ancestors().All(a => a.Attribute("Condition") is null) && item.Attribute("Condition") is null)
                    yield return (string)item.Attribute("Include")!;
    }

    private static List<Project> SourceProjects()
    {
        string root = RepoRoot();
        var inherited = InheritedPackages(root).ToList();
        var projects = new List<Project>();
        foreach (string file in Directory.GetFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var doc = XDocument.Load(file);
            string name = Path.GetFileNameWithoutExtension(file);
            string assembly = doc.Descendants("AssemblyName").Select(e => e.Value.Trim()).FirstOrDefault() ?? name;
            var packages = doc.Descendants("PackageReference").Select(e => (string?)e.Attribute("Include") ?? (string)e.Attribute("Update")!)
                .Concat(inherited).ToHashSet(StringComparer.Ordinal);
            var references = doc.Descendants("ProjectReference").Select(e => Path.GetFileNameWithoutExtension(((string)e.Attribute("Include")!).Replace('\\', '/')))
                .ToHashSet(StringComparer.Ordinal);
            projects.Add(new Project(name, assembly, packages, references));
        }
        return projects;
    }

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
    public void EveryProjectsPackagesAreTheListedOnes()
    {
        var projects = SourceProjects();
        Assert.Equal(Packages.Keys.Order(StringComparer.Ordinal), projects.Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var project in projects)
        {
            var listed = Packages[project.Name].ToHashSet(StringComparer.Ordinal);
            var unlisted = project.Packages.Except(listed).Order(StringComparer.Ordinal).ToList();
            var gone = listed.Except(project.Packages).Order(StringComparer.Ordinal).ToList();
            Assert.True(unlisted.Count == 0, $"{project.Name} references {string.Join(", ", unlisted)}, which ArchitectureTests.Packages does not list for it");
            Assert.True(gone.Count == 0, $"ArchitectureTests.Packages lists {string.Join(", ", gone)} for {project.Name}, whose csproj no longer references it");
        }
    }

    [Fact]
    public void ProjectFilesReferenceOnlyLowerLayers()
    {
        foreach (var project in SourceProjects())
            foreach (string reference in project.References)
                Assert.True(Allowed[project.Name].Contains(reference), $"{project.Name}.csproj must not reference {reference}");
    }

    [Fact]
    public void ProjectReferencesPointTowardTheCore()
    {
        var assemblies = SweepLabAssemblies().ToList();
        var projectOf = SourceProjects().ToDictionary(p => p.AssemblyName, p => p.Name);
        Assert.Contains(assemblies, a => a.GetName().Name == "SweepLab.Core");
        Assert.Equal(projectOf.Keys.Order(StringComparer.Ordinal), assemblies.Select(a => a.GetName().Name!).Order(StringComparer.Ordinal));
        foreach (var assembly in assemblies)
        {
            string name = projectOf[assembly.GetName().Name!];
            var used = assembly.GetReferencedAssemblies().Select(r => r.Name!).Where(n => n.StartsWith("SweepLab", StringComparison.Ordinal));
            foreach (var dependency in used)
                Assert.True(Allowed[name].Contains(dependency), $"{name} must not depend on {dependency}");
        }
    }

    /// <summary>The compiled code agrees: an assembly uses a package's assembly only where its own project lists the
    /// package (not one it merely gets through a project reference).</summary>
    [Fact]
    public void PackagesAreUsedOnlyWhereListed()
    {
        var projects = SourceProjects().ToDictionary(p => p.AssemblyName);
        var allPackages = Packages.Values.SelectMany(p => p).Distinct(StringComparer.Ordinal).ToList();
        foreach (var assembly in SweepLabAssemblies())
        {
            var project = projects[assembly.GetName().Name!];
            foreach (string reference in assembly.GetReferencedAssemblies().Select(r => r.Name!))
            {
                // The most specific package the assembly comes from (Plotly.NET.CSharp, not Plotly.NET).
                string? package = allPackages.Where(p => reference == p || reference.StartsWith(p + ".", StringComparison.Ordinal)).MaxBy(p => p.Length);
                if (package is null) continue;
                Assert.True(project.Packages.Contains(package),
                    $"{project.Name} uses {reference} (package {package}); only {string.Join(", ", projects.Values.Where(p => p.Packages.Contains(package)).Select(p => p.Name))} list it");
            }
        }
    }

    /// <summary>
    /// Inside the CLI, src/SweepLab.Cli/Sweeping (executors, datasets, objective) sits below Commands (Cocona entry
    /// points): no file under Sweeping may name the Commands namespace or any type declared under Commands. Read
    /// from the source, comments and string literals left out, because both folders compile into one assembly.
    /// </summary>
    [Fact]
    public void SweepingNeverCallsIntoCommands()
    {
        string cli = Path.Combine(RepoRoot(), "src", "SweepLab.Cli");
        var commandTypes = Directory.EnumerateFiles(Path.Combine(cli, "Commands"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => TypeDeclaration().Matches(CodeOnly(File.ReadAllText(f))).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("SweepCommands", commandTypes);
        Assert.Contains("SimulateCommand", commandTypes);
        var sweeping = Directory.EnumerateFiles(Path.Combine(cli, "Sweeping"), "*.cs", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(sweeping);
        var offences = new List<string>();
        foreach (string file in sweeping)
        {
            string code = CodeOnly(File.ReadAllText(file));
            foreach (Match m in Regex.Matches(code, @"\b(?:SweepLab\.Cli\.)?Commands\s*\.\s*\w+|\busing\s+SweepLab\.Cli\.Commands\b"))
                offences.Add($"{Path.GetFileName(file)}: {m.Value}");
            foreach (Match m in Regex.Matches(code, @"\b\w+\b").Where(m => commandTypes.Contains(m.Value)))
                offences.Add($"{Path.GetFileName(file)}: {m.Value}");
        }
        Assert.True(offences.Count == 0, "Sweeping must not use Commands: " + string.Join("; ", offences.Distinct()));
    }

    /// <summary>The check itself: a reference in code or an interpolation hole is kept, the same words in comments or
    /// plain strings are blanked.</summary>
    [Fact]
    public void CodeOnlyDropsCommentsAndPlainStrings()
    {
        string code = CodeOnly("var x = Commands.SimulateCommand.ParsePreset(\"a // b\"); // SweepCommands.SpecCopy\n/* ExportCommand */ y = $\"{SweepFolders.SpecCopy}\";");
        Assert.Contains("Commands.SimulateCommand.ParsePreset(", code);
        Assert.Contains("{SweepFolders.SpecCopy}", code);
        Assert.DoesNotContain("ExportCommand", code);
        Assert.DoesNotContain("SweepCommands", code);
        Assert.DoesNotContain("a // b", code);
        Assert.Equal(2, code.Split('\n').Length);
    }

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+(\w+)")]
    private static partial Regex TypeDeclaration();

    /// <summary>C# text with comments and plain or verbatim string literals blanked; interpolated strings are kept
    /// whole, since their holes are code.</summary>
    private static string CodeOnly(string source) =>
        Regex.Replace(source, @"//[^\n]*|/\*.*?\*/|\$@?""(?:\\.|[^""\\\n])*""|@""(?:[^""]|"""")*""|""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])'",
            m => m.Value[0] == '$' ? m.Value
                : m.Value.StartsWith("//", StringComparison.Ordinal) || m.Value.StartsWith("/*", StringComparison.Ordinal)
                    ? new string('\n', m.Value.Count(c => c == '\n')) : "\"\"", RegexOptions.Singleline);
}
