using System.Globalization;
using System.Text.RegularExpressions;
using SweepLab.Sweeps;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace SweepLab.Cli;

/// <summary>
/// Reads a sweep file (YAML) into a <see cref="SweepSpec"/>, reporting every error at once as
/// <c>path:line: key: message</c>. It checks the file's shape (known keys, types, well-formed generators); the
/// planner then checks the sweep itself (empty axes, clashes, run counts, setting values).
/// <para>Top-level keys, all optional except that a sweep without <c>base</c> or <c>grid</c> has nothing to run:</para>
/// <code>
/// name: similarity-vs-batch          # a label for reports
/// dataset:                           # opaque to the planner; the CLI reads it (simulator options as sweeplab simulate's)
///   simulate: {preset: compositional, particles: 20000, box: 64}
/// base:                              # settings shared by every run (scalars); keys as in sweeplab knobs
///   classes: 2
///   target_resolution_angstrom: 12
/// grid:                              # axes; their Cartesian product is taken, the last varying fastest
///   batch_size_per_class: [1000, 5000, 10000]
///   class_similarity: {linspace: [0.0, 0.3, 4]}     # start, stop, count; both ends included
///   learning_rate_init: {logspace: [-1, 0, 3]}      # 10^-1 .. 10^0, 3 values
///   oem_epochs: {range: [2, 8, 2]}                  # start, stop (excluded), step: 2 4 6
///   hard_classification: [soft, hard, soft_then_hard, hard_then_soft]
/// zip:                               # groups of axes that vary together (equal lengths); a map or a list of maps
///   - similarity_anneal_start: [0, 2, 4]
///     similarity_anneal_end: [8, 12, 16]
/// conditional:                       # axes that apply only where another setting has one of the listed values
///   - when: {hard_classification: [soft_then_hard, hard_then_soft]}  # or one value: {hard_classification: soft_then_hard}
///     grid:
///       hard_switch_iteration: [10, 20]
/// repeats: 3                         # seeds per configuration (default 1)
/// seed: 42                           # base seed; repeat r's seed is derived from it (default 0)
/// execution:
///   executor: local                  # local | slurm
///   workers: 4                       # groups in flight (default 1)
///   max_runs: 6000                   # needed above 10,000 runs; also a run budget
///   time_budget_seconds: 3600        # no new runs start after this
///   slurm: {tasks: 8, throttle: 4}   # SLURM executor options, read by SlurmSettings (see its docs)
/// baselines: [relion]               # also run RELION's Class3D once on the dataset (or {relion: {iterations: 25, threads: 2}})
/// search:                            # default {kind: grid}
///   kind: grid                       # grid | boundary | halving
///   prune_when: "collapsed == 1"     # stop any run early when an iteration report satisfies this
/// </code>
/// <para>Boundary search: <c>{kind: boundary, axis: class_similarity, low: 0.0, high: 0.5, tolerance: 0.01,
/// outcome: "collapsed == 1"}</c>. Successive halving: <c>{kind: halving, metric: final_log_likelihood, direction:
/// maximize, eta: 3, budget_setting: oem_epochs, rungs: [1, 3, 9]}</c>.</para>
/// <para>Scalars follow the YAML 1.2 core schema: plain <c>true</c>/<c>false</c> are booleans, plain integers
/// (digits, optionally with _ separators, or 0x/0o) are integers, plain decimals and exponents (<c>1e-3</c>) are
/// reals, anything quoted or else plain is a string. Null, <c>.inf</c> and <c>.nan</c> are refused.</para>
/// </summary>
public static partial class SweepSpecYaml
{
    private static readonly string[] TopLevelKeys = ["name", "dataset", "base", "grid", "zip", "conditional", "repeats", "seed", "execution", "search", "baselines"];
    private static readonly string[] BaselineNames = ["relion"];
    private static readonly string[] BaselineKeys = ["iterations", "threads"];
    private static readonly string[] ExecutionKeys = ["executor", "workers", "max_runs", "time_budget_seconds", "slurm"];
    private static readonly string[] GeneratorKeys = ["range", "linspace", "logspace"];

    public static SweepSpec Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"sweep file '{path}' does not exist", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses sweep YAML; <paramref name="path"/> only labels error messages.</summary>
    /// <exception cref="SweepSpecException">With every error found.</exception>
    public static SweepSpec Parse(string text, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Reader(path).Read(text);
    }

    /// <summary>
    /// The top-level <paramref name="keys"/> of a sweep file, each with its value, serialised again as YAML text
    /// ("dataset:\n  simulate: {particles: 2000}\n"; the file's flow or block style and quoting kept, comments not); null
    /// for a key the file lacks. sweep.json carries the dataset and seed blocks this way, so reports copy them into
    /// reproduce files without reading YAML.
    /// </summary>
    /// <exception cref="SweepSpecException">The text is not YAML a sweep file may hold (as <see cref="Parse"/> says).</exception>
    public static IReadOnlyDictionary<string, string?> TopLevelYaml(string text, params IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(keys);
        var root = new Reader(null).Root(text);
        var serializer = new SerializerBuilder().WithIndentedSequences().Build();
        var blocks = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (string key in keys)
        {
            var entry = root.Children.FirstOrDefault(p => p.Key is YamlScalarNode { Value: var k } && k == key);
            blocks[key] = entry.Key is null ? null : serializer.Serialize(new YamlMappingNode { { entry.Key, entry.Value } });
        }
        return blocks;
    }

    private sealed partial class Reader(string? path)
    {
        private readonly List<SpecError> _errors = [];

        private void Error(YamlNode? node, string key, string message) => Error(Line(node), key, message);

        private void Error(int line, string key, string message) => _errors.Add(new SpecError(path, line, key, message));

        private static int Line(YamlNode? node) => node is null ? 0 : (int)node.Start.Line;

        /// <summary>The file's top-level map, after screening; every problem so far is thrown.</summary>
        public YamlMappingNode Root(string text)
        {
            YamlMappingNode? root = null;
            if (!Screen(text)) throw new SweepSpecException(_errors);
            try
            {
                var stream = new YamlStream();
                stream.Load(new StringReader(text));
                if (stream.Documents.Count == 0) Error(0, "", "the sweep file is empty");
                else if (stream.Documents.Count > 1) Error(Line(stream.Documents[1].RootNode), "", "the sweep file holds more than one YAML document");
                else if (stream.Documents[0].RootNode is YamlMappingNode map) root = map;
                else Error(stream.Documents[0].RootNode, "", "the sweep file must be a map of keys (name, dataset, base, grid, ...)");
            }
            catch (YamlException e)
            {
                string message = e.InnerException is { } inner && e.Message.Contains("see inner", StringComparison.OrdinalIgnoreCase) ? inner.Message : e.Message;
                Error((int)e.Start.Line, "", $"not valid YAML: {message}");
            }
            return root ?? throw new SweepSpecException(_errors);
        }

        public SweepSpec Read(string text)
        {
            var root = Root(text);
            var entries = Entries(root, "");
            foreach (var (key, keyNode, _) in entries)
                if (!TopLevelKeys.Contains(key))
                    Error(keyNode, key, $"unknown key; expected one of {string.Join(", ", TopLevelKeys)}");
            YamlNode? Get(string key) => entries.FirstOrDefault(e => e.Key == key).Value;

            string? name = Get("name") is { } nameNode ? String(nameNode, "name") : null;
            var dataset = Get("dataset") is { } datasetNode ? Dataset(datasetNode) : SpecMap.Empty;
            var baseSettings = Get("base") is { } baseNode ? Settings(baseNode, "base") : SettingMap.Empty;
            var grid = Get("grid") is { } gridNode ? Axes(gridNode, "grid") : [];
            var zip = Get("zip") is { } zipNode ? Zip(zipNode) : [];
            var conditional = Get("conditional") is { } conditionalNode ? Conditionals(conditionalNode) : [];
            var repeats = Get("repeats") is { } repeatsNode ? new Located<int>((int)Math.Clamp(Integer(repeatsNode, "repeats") ?? 1, int.MinValue, int.MaxValue), Line(repeatsNode)) : new Located<int>(1);
            var seed = Get("seed") is { } seedNode ? new Located<long>(Integer(seedNode, "seed") ?? 0, Line(seedNode)) : new Located<long>(0);
            var execution = Get("execution") is { } executionNode ? Execution(executionNode, entries.First(e => e.Key == "execution").KeyNode) : new ExecutionSpec();
            var search = Get("search") is { } searchNode ? Search(searchNode) : new GridSearchSpec();
            var baselines = Get("baselines") is { } baselinesNode ? Baselines(baselinesNode) : [];
            if (Get("base") is null && Get("grid") is null && Get("zip") is null)
                Error(root, "", "the sweep sets nothing: give at least 'base' or 'grid'");

            if (_errors.Count > 0) throw new SweepSpecException(_errors);
            return new SweepSpec(name, path, dataset, baseSettings, grid, zip, conditional, repeats, seed, execution, search) { Baselines = baselines };
        }

        /// <summary>Deepest nesting of maps and lists a sweep file may use (real ones use 4).</summary>
        internal const int MaxDepth = 32;

        /// <summary>
        /// Reads the file as a stream of YAML events (no recursion, no alias expansion) and refuses what would crash
        /// or exhaust the tree loader: aliases (<c>*a</c>: a cycle overflowed the stack, "billion laughs" filled
        /// memory; a sweep file never needs them), nesting deeper than <see cref="MaxDepth"/> (200,000 nested lists
        /// overflowed the loader), and malformed text the scanner rejects with a bare InvalidOperationException
        /// (an unclosed <c>{</c>), named by the line of the bracket that is never closed.
        /// </summary>
        private bool Screen(string text)
        {
            var parser = new Parser(new StringReader(text));
            var openFlows = new Stack<int>();
            int depth = 0, line = 1;
            try
            {
                while (parser.MoveNext())
                {
                    var e = parser.Current!;
                    line = (int)e.Start.Line;
                    switch (e)
                    {
                        case YamlDotNet.Core.Events.AnchorAlias alias:
                            Error(line, "", $"aliases (*{alias.Value}) are not supported in sweep files; write the value out");
                            return false;
                        case YamlDotNet.Core.Events.SequenceStart or YamlDotNet.Core.Events.MappingStart:
                            if (++depth > MaxDepth)
                            {
                                Error(line, "", $"lists and maps nested more than {MaxDepth} deep");
                                return false;
                            }
                            bool flow = e is YamlDotNet.Core.Events.SequenceStart { Style: YamlDotNet.Core.Events.SequenceStyle.Flow }
                                or YamlDotNet.Core.Events.MappingStart { Style: YamlDotNet.Core.Events.MappingStyle.Flow };
                            openFlows.Push(flow ? line : -1);
                            break;
                        case YamlDotNet.Core.Events.SequenceEnd or YamlDotNet.Core.Events.MappingEnd:
                            depth--;
                            if (openFlows.Count > 0) openFlows.Pop();
                            break;
                    }
                }
                return true;
            }
            catch (YamlException e)
            {
                string message = e.InnerException is { } inner && e.Message.Contains("see inner", StringComparison.OrdinalIgnoreCase) ? inner.Message : e.Message;
                Error((int)e.Start.Line, "", $"not valid YAML: {message}");
                return false;
            }
            catch (InvalidOperationException)
            {
                int open = openFlows.FirstOrDefault(l => l > 0);
                Error(open > 0 ? open : line, "", open > 0 ? "not valid YAML: a '{' or '[' opened on this line is never closed" : "not valid YAML");
                return false;
            }
        }

        /// <summary>A map's entries in order; non-scalar keys and repeated keys are errors.</summary>
        private List<(string Key, YamlNode KeyNode, YamlNode Value)> Entries(YamlMappingNode map, string prefix)
        {
            var list = new List<(string, YamlNode, YamlNode)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in map.Children)
            {
                if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
                {
                    Error(keyNode, prefix.TrimEnd('.'), "keys must be plain names");
                    continue;
                }
                if (!seen.Add(key))
                {
                    Error(keyNode, prefix + key, "this key appears twice");
                    continue;
                }
                list.Add((key, keyNode, value));
            }
            return list;
        }

        private List<(string Key, YamlNode KeyNode, YamlNode Value)>? Map(YamlNode node, string key, string what)
        {
            if (node is YamlMappingNode map) return Entries(map, key + ".");
            Error(node, key, $"expected {what}, got {Describe(node)}");
            return null;
        }

        private static string Describe(YamlNode node) => node switch
        {
            YamlMappingNode => "a map",
            YamlSequenceNode => "a list",
            YamlScalarNode s when IsNull(s) => "nothing (null)",
            YamlScalarNode s => $"{KindName(Scalar(s, out _))} '{s.Value}'",
            _ => "an alias",
        };

        private static string KindName(SettingValue? value) => value?.Kind switch
        {
            SettingKind.Integer => "the integer",
            SettingKind.Real => "the number",
            SettingKind.Boolean => "the boolean",
            _ => "the string",
        };

        // ---- scalars -------------------------------------------------------------------------------------

        [GeneratedRegex(@"^[-+]?[0-9](_?[0-9])*$")]
        private static partial Regex IntegerPattern();

        [GeneratedRegex(@"^[-+]?(\.[0-9](_?[0-9])*|[0-9](_?[0-9])*(\.([0-9](_?[0-9])*)?)?)([eE][-+]?[0-9]+)?$")]
        private static partial Regex RealPattern();

        private static bool IsNull(YamlScalarNode s) =>
            s.Style == ScalarStyle.Plain && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

        /// <summary>The YAML 1.2 core-schema reading of a scalar; null (with a reason) when it cannot be a setting.</summary>
        private static SettingValue? Scalar(YamlScalarNode s, out string? problem)
        {
            problem = null;
            int line = (int)s.Start.Line;
            string value = s.Value ?? "";
            bool explicitString = s.Style != ScalarStyle.Plain || (!s.Tag.IsEmpty && s.Tag.Value is "tag:yaml.org,2002:str" or "!!str");
            if (explicitString) return SettingValue.FromString(value, line);
            if (IsNull(s)) { problem = "no value (null)"; return null; }
            switch (value)
            {
                case "true" or "True" or "TRUE": return SettingValue.FromBoolean(true, line);
                case "false" or "False" or "FALSE": return SettingValue.FromBoolean(false, line);
            }
            string digits = value.Replace("_", "", StringComparison.Ordinal);
            if (IntegerPattern().IsMatch(value))
            {
                if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n)) return SettingValue.FromInteger(n, line);
                problem = $"the integer {value} does not fit in 64 bits";
                return null;
            }
            if (value.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long hex))
                return SettingValue.FromInteger(hex, line);
            if (value.StartsWith("0o", StringComparison.Ordinal) && digits.Length > 2 && digits[2..].All(c => c is >= '0' and <= '7'))
                return SettingValue.FromInteger(Convert.ToInt64(digits[2..], 8), line);
            if (RealPattern().IsMatch(value))
            {
                double d = double.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture);
                if (double.IsFinite(d)) return SettingValue.FromReal(d, line);
                problem = $"{value} is out of the double range";
                return null;
            }
            if (value.ToLowerInvariant() is ".inf" or "+.inf" or "-.inf" or ".nan")
            {
                problem = $"{value} is not a finite number";
                return null;
            }
            return SettingValue.FromString(value, line);
        }

        private SettingValue? Setting(YamlNode node, string key)
        {
            if (node is not YamlScalarNode s)
            {
                Error(node, key, $"expected a single value (string, number or boolean), got {Describe(node)}");
                return null;
            }
            var value = Scalar(s, out string? problem);
            if (value is null) Error(node, key, $"expected a value, got {problem}");
            return value;
        }

        private string? String(YamlNode node, string key)
        {
            var value = Setting(node, key);
            if (value is { Kind: SettingKind.String } v) return v.AsString;
            if (value is not null) Error(node, key, $"expected text, got {Describe(node)}");
            return null;
        }

        private long? Integer(YamlNode node, string key)
        {
            var value = Setting(node, key);
            if (value is { Kind: SettingKind.Integer } v && v.TryGetInt64(out long n)) return n;
            if (value is not null) Error(node, key, $"expected an integer, got {Describe(node)}");
            return null;
        }

        private double? Number(YamlNode node, string key)
        {
            var value = Setting(node, key);
            if (value is { IsNumber: true } v) return v.AsDouble;
            if (value is not null) Error(node, key, $"expected a number, got {Describe(node)}");
            return null;
        }

        private MetricPredicate? Predicate(YamlNode node, string key)
        {
            if (String(node, key) is not { } text) return null;
            if (MetricPredicate.TryParse(text, out var predicate, out string problem)) return predicate;
            Error(node, key, problem);
            return null;
        }

        // ---- blocks --------------------------------------------------------------------------------------

        private SpecMap Dataset(YamlNode node)
        {
            if (Opaque(node, "dataset") is SpecMap map) return map;
            Error(node, "dataset", $"expected a map (for example 'simulate:' or 'particles:'), got {Describe(node)}");
            return SpecMap.Empty;
        }

        private SpecNode Opaque(YamlNode node, string key) => node switch
        {
            YamlMappingNode map => new SpecMap(Entries(map, key + ".")
                .Select(e => new SpecEntry(e.Key, Line(e.KeyNode), Opaque(e.Value, $"{key}.{e.Key}"))).ToArray(), Line(map)),
            YamlSequenceNode list => new SpecList(list.Children.Select((c, i) => Opaque(c, $"{key}[{i}]")).ToArray(), Line(list)),
            YamlScalarNode s when Scalar(s, out _) is { } value => new SpecScalar(value, Line(s)),
            YamlScalarNode s => new SpecScalar(SettingValue.FromString(s.Value ?? "", Line(s)), Line(s)),
            _ => new SpecScalar(SettingValue.FromString("", Line(node)), Line(node)),
        };

        private SettingMap Settings(YamlNode node, string key)
        {
            var entries = Map(node, key, "a map of setting names to values");
            if (entries is null) return SettingMap.Empty;
            var settings = new List<KeyValuePair<string, SettingValue>>();
            foreach (var (name, keyNode, value) in entries)
            {
                if (Setting(value, $"{key}.{name}") is { } v) settings.Add(new(name, v));
            }
            return new SettingMap(settings);
        }

        private List<GridAxis> Axes(YamlNode node, string key)
        {
            var entries = Map(node, key, "a map of setting names to lists of values");
            if (entries is null) return [];
            var axes = new List<GridAxis>();
            foreach (var (name, keyNode, value) in entries)
                if (AxisValues(value, $"{key}.{name}") is { } values) axes.Add(new GridAxis(name, values, Line(keyNode)));
            return axes;
        }

        /// <summary>A list of scalars, or one generator map; null after reporting an error.</summary>
        private IReadOnlyList<SettingValue>? AxisValues(YamlNode node, string key)
        {
            switch (node)
            {
                case YamlSequenceNode list:
                {
                    var values = new List<SettingValue>();
                    bool ok = true;
                    foreach (var item in list.Children)
                    {
                        if (Setting(item, key) is { } v) values.Add(v);
                        else ok = false;
                    }
                    return ok ? values : null;
                }
                case YamlMappingNode map:
                {
                    var entries = Entries(map, key + ".");
                    if (entries.Count != 1 || !GeneratorKeys.Contains(entries[0].Key))
                    {
                        Error(node, key, "expected a list of values or one of {range: [start, stop, step]}, {linspace: [start, stop, count]}, {logspace: [start, stop, count]}");
                        return null;
                    }
                    var (generator, _, arguments) = entries[0];
                    string at = $"{key}.{generator}";
                    string shape = generator == "range" ? "[start, stop, step]" : "[start, stop, count]";
                    if (arguments is not YamlSequenceNode { Children.Count: 3 } args)
                    {
                        Error(arguments, at, $"expected three numbers {shape}, got {Describe(arguments)}");
                        return null;
                    }
                    var numbers = args.Children.Select(c => Setting(c, at)).ToArray();
                    if (numbers.Any(n => n is null)) return null;
                    if (numbers.Any(n => !n!.Value.IsNumber))
                    {
                        Error(arguments, at, $"expected three numbers {shape}, got {string.Join(", ", numbers.Select(n => n!.Value.ToString()))}");
                        return null;
                    }
                    var (a, b, c) = (numbers[0]!.Value, numbers[1]!.Value, numbers[2]!.Value);
                    if (generator != "range" && c.Kind != SettingKind.Integer)
                    {
                        Error(args.Children[2], at, $"the count must be an integer, not {c}");
                        return null;
                    }
                    try
                    {
                        int line = Line(node);
                        return generator switch
                        {
                            "range" => Sweeps.AxisValues.Range(a, b, c, line),
                            "linspace" => Sweeps.AxisValues.Linspace(a, b, c.TryGetInt64(out long n1) ? n1 : 0, line),
                            _ => Sweeps.AxisValues.Logspace(a, b, c.TryGetInt64(out long n2) ? n2 : 0, line),
                        };
                    }
                    catch (Exception e) when (e is ArgumentException or OverflowException)
                    {
                        Error(arguments, at, e.Message);
                        return null;
                    }
                }
                default:
                    Error(node, key, $"an axis needs a list of values or a range/linspace/logspace, got {Describe(node)}; put a single value in 'base'");
                    return null;
            }
        }

        private List<ZipGroup> Zip(YamlNode node)
        {
            var groups = new List<ZipGroup>();
            if (node is YamlMappingNode)
            {
                groups.Add(new ZipGroup(Axes(node, "zip[0]"), Line(node)));
            }
            else if (node is YamlSequenceNode list)
            {
                for (int i = 0; i < list.Children.Count; i++)
                {
                    var item = list.Children[i];
                    if (item is YamlMappingNode) groups.Add(new ZipGroup(Axes(item, $"zip[{i}]"), Line(item)));
                    else Error(item, $"zip[{i}]", $"expected a map of axes that vary together, got {Describe(item)}");
                }
            }
            else
            {
                Error(node, "zip", $"expected a map of axes that vary together, or a list of such maps, got {Describe(node)}");
            }
            return groups;
        }

        private List<ConditionalAxis> Conditionals(YamlNode node)
        {
            var result = new List<ConditionalAxis>();
            if (node is not YamlSequenceNode list)
            {
                Error(node, "conditional", $"expected a list of {{when: {{setting: value}}, grid: {{axis: [values]}}}} blocks, got {Describe(node)}");
                return result;
            }
            for (int i = 0; i < list.Children.Count; i++)
            {
                string key = $"conditional[{i}]";
                var entries = Map(list.Children[i], key, "a map with 'when' and 'grid'");
                if (entries is null) continue;
                foreach (var (k, keyNode, _) in entries)
                    if (k is not ("when" or "grid")) Error(keyNode, $"{key}.{k}", "unknown key; expected when, grid");
                var when = entries.FirstOrDefault(e => e.Key == "when");
                var grid = entries.FirstOrDefault(e => e.Key == "grid");
                if (when.Value is null) Error(list.Children[i], key, "missing 'when: {setting: value}'");
                if (grid.Value is null) Error(list.Children[i], key, "missing 'grid: {axis: [values]}'");
                if (when.Value is null || grid.Value is null) continue;

                var condition = Map(when.Value, $"{key}.when", "a map {setting: value} or {setting: [values]}");
                if (condition is null) continue;
                if (condition.Count != 1)
                {
                    Error(when.Value, $"{key}.when", "name exactly one setting, like {hard_classification: soft_then_hard}");
                    continue;
                }
                var (setting, _, valueNode) = condition[0];
                IReadOnlyList<SettingValue>? values = valueNode is YamlSequenceNode
                    ? AxisValues(valueNode, $"{key}.when.{setting}")
                    : Setting(valueNode, $"{key}.when.{setting}") is { } single ? [single] : null;
                var axes = Axes(grid.Value, $"{key}.grid");
                if (values is null) continue;
                foreach (var axis in axes) result.Add(new ConditionalAxis(axis, setting, values, Line(list.Children[i])));
            }
            return result;
        }

        private ExecutionSpec Execution(YamlNode node, YamlNode keyNode)
        {
            var entries = Map(node, "execution", "a map");
            if (entries is null) return new ExecutionSpec();
            var spec = new ExecutionSpec(Line: Line(keyNode));
            foreach (var (key, k, value) in entries)
            {
                string at = $"execution.{key}";
                switch (key)
                {
                    case "executor":
                        string? executor = String(value, at);
                        if (executor is "local") spec = spec with { Executor = ExecutorKind.Local };
                        else if (executor is "slurm") spec = spec with { Executor = ExecutorKind.Slurm };
                        else if (executor is not null) Error(value, at, $"expected local or slurm, got '{executor}'");
                        break;
                    case "workers":
                        if (Integer(value, at) is long workers) spec = spec with { Workers = (int)Math.Clamp(workers, int.MinValue, int.MaxValue) };
                        break;
                    case "max_runs":
                        if (Integer(value, at) is long maxRuns) spec = spec with { MaxRuns = new Located<long>(maxRuns, Line(value)) };
                        break;
                    case "time_budget_seconds":
                        if (Number(value, at) is double seconds) spec = spec with { TimeBudgetSeconds = seconds };
                        break;
                    case "slurm":
                        break; // The SLURM executor's own block, read and checked by Sweeping.SlurmSettings.
                    default:
                        Error(k, at, $"unknown key; expected one of {string.Join(", ", ExecutionKeys)}");
                        break;
                }
            }
            return spec;
        }

        /// <summary><c>[relion]</c>, or <c>{relion: {iterations: 25, threads: 2}}</c> (<c>{relion: {}}</c> for the defaults).</summary>
        private List<BaselineSpec> Baselines(YamlNode node)
        {
            var result = new List<BaselineSpec>();
            void Add(string? name, YamlNode at, string key)
            {
                if (name is null) return;
                if (!BaselineNames.Contains(name)) Error(at, key, $"unknown baseline '{name}'; expected one of {string.Join(", ", BaselineNames)}");
                else if (result.Any(b => b.Name == name)) Error(at, key, $"the baseline '{name}' is named twice");
                else result.Add(new BaselineSpec(name, Line: Line(at)));
            }
            switch (node)
            {
                case YamlSequenceNode list:
                    for (int i = 0; i < list.Children.Count; i++) Add(String(list.Children[i], $"baselines[{i}]"), list.Children[i], $"baselines[{i}]");
                    break;
                case YamlMappingNode map:
                    foreach (var (name, keyNode, value) in Entries(map, "baselines."))
                    {
                        int before = result.Count;
                        Add(name, keyNode, $"baselines.{name}");
                        if (result.Count == before) continue;
                        if (value is YamlScalarNode s && IsNull(s)) continue; // "relion:" alone: the defaults
                        var options = Map(value, $"baselines.{name}", "a map of iterations and threads");
                        if (options is null) continue;
                        var spec = result[^1];
                        foreach (var (key, k, v) in options)
                        {
                            string at = $"baselines.{name}.{key}";
                            switch (key)
                            {
                                case "iterations" when Integer(v, at) is long n:
                                    if (n is < 1 or > 1000) Error(v, at, $"expected 1 to 1000 iterations, got {n}");
                                    else spec = spec with { Iterations = (int)n };
                                    break;
                                case "threads" when Integer(v, at) is long t:
                                    if (t is < 1 or > 1024) Error(v, at, $"expected 1 to 1024 threads, got {t}");
                                    else spec = spec with { Threads = (int)t };
                                    break;
                                case "iterations" or "threads":
                                    break; // Integer reported it.
                                default:
                                    Error(k, at, $"unknown key; expected one of {string.Join(", ", BaselineKeys)}");
                                    break;
                            }
                        }
                        result[^1] = spec;
                    }
                    break;
                default:
                    Error(node, "baselines", $"expected a list of baselines like [relion], or a map like {{relion: {{iterations: 25}}}}, got {Describe(node)}");
                    break;
            }
            return result;
        }

        private SearchSpec Search(YamlNode node)
        {
            var entries = Map(node, "search", "a map with 'kind: grid | boundary | halving'");
            if (entries is null) return new GridSearchSpec();
            YamlNode? Get(string key) => entries.FirstOrDefault(e => e.Key == key).Value;
            int line = Line(node);
            string kind = Get("kind") is { } kindNode ? String(kindNode, "search.kind") ?? "grid" : "grid";
            string[] allowed = kind switch
            {
                "grid" => ["kind", "prune_when"],
                "boundary" => ["kind", "prune_when", "axis", "low", "high", "tolerance", "outcome"],
                "halving" => ["kind", "prune_when", "metric", "direction", "eta", "budget_setting", "rungs"],
                _ => [],
            };
            if (allowed.Length == 0)
            {
                Error(Get("kind"), "search.kind", $"expected grid, boundary or halving, got '{kind}'");
                return new GridSearchSpec();
            }
            foreach (var (key, keyNode, _) in entries)
                if (!allowed.Contains(key)) Error(keyNode, $"search.{key}", $"unknown key for a {kind} search; expected one of {string.Join(", ", allowed)}");

            var prune = Get("prune_when") is { } pruneNode ? Predicate(pruneNode, "search.prune_when") : null;
            T Required<T>(string key, Func<YamlNode, string, T?> read, T fallback) where T : struct
            {
                if (Get(key) is { } n) return read(n, $"search.{key}") ?? fallback;
                Error(node, $"search.{key}", $"a {kind} search needs '{key}'");
                return fallback;
            }
            string RequiredText(string key)
            {
                if (Get(key) is { } n) return String(n, $"search.{key}") ?? "";
                Error(node, $"search.{key}", $"a {kind} search needs '{key}'");
                return "";
            }
            switch (kind)
            {
                case "boundary":
                {
                    string axis = RequiredText("axis");
                    double low = Required("low", Number, 0.0);
                    double high = Required("high", Number, 1.0);
                    double tolerance = Required("tolerance", Number, 0.01);
                    MetricPredicate? outcome = null;
                    if (Get("outcome") is { } outcomeNode) outcome = Predicate(outcomeNode, "search.outcome");
                    else Error(node, "search.outcome", "a boundary search needs 'outcome', like \"collapsed == 1\" or \"split_ratio < 0.2\"");
                    return new BoundarySearchSpec(axis, low, high, tolerance, outcome ?? new MetricPredicate("", ComparisonOperator.Equal, 0), prune, line);
                }
                case "halving":
                {
                    string metric = RequiredText("metric");
                    bool maximize = true;
                    if (Get("direction") is { } directionNode)
                    {
                        string? direction = String(directionNode, "search.direction");
                        if (direction is "minimize" or "minimise") maximize = false;
                        else if (direction is not ("maximize" or "maximise" or null)) Error(directionNode, "search.direction", $"expected maximize or minimize, got '{direction}'");
                    }
                    long eta = Get("eta") is { } etaNode ? Integer(etaNode, "search.eta") ?? 3 : 3;
                    string budget = RequiredText("budget_setting");
                    var rungs = new List<long>();
                    if (Get("rungs") is YamlSequenceNode rungList)
                    {
                        foreach (var r in rungList.Children)
                            if (Integer(r, "search.rungs") is long n) rungs.Add(n);
                    }
                    else if (Get("rungs") is { } badRungs) Error(badRungs, "search.rungs", $"expected a list of iteration budgets like [10, 30, 90], got {Describe(badRungs)}");
                    else Error(node, "search.rungs", "a halving search needs 'rungs', like [10, 30, 90]");
                    return new HalvingSearchSpec(metric, maximize, (int)Math.Clamp(eta, int.MinValue, int.MaxValue), budget, rungs, prune, line);
                }
                default:
                    return new GridSearchSpec(prune, line);
            }
        }
    }
}
