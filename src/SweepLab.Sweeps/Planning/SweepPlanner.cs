using static System.FormattableString;

namespace SweepLab.Sweeps;

/// <summary>A problem a settings validator found with one setting of one configuration.</summary>
public sealed record SettingIssue(string Key, string Message);

/// <summary>
/// A checked, expanded sweep. <see cref="Configurations"/> are the distinct settings maps in plan order;
/// <see cref="Runs"/> is every run of a grid search (configuration-major, repeat-minor) and empty for adaptive
/// searches, whose runs depend on results (<see cref="MaxRunCount"/> bounds them).
/// </summary>
public sealed record SweepPlan(
    SweepSpec Spec,
    IReadOnlyList<SettingMap> Configurations,
    IReadOnlyList<long> Seeds,
    IReadOnlyList<RunSpec> Runs,
    IReadOnlyList<string> VaryingSettings,
    long MaxRunCount)
{
    public bool IsAdaptive => Spec.Search is not GridSearchSpec;

    /// <summary>
    /// Every setting a run of this plan carries, in column order: the configurations' settings, then those an adaptive
    /// search adds to each run (the bisected axis, the budget setting), which no configuration holds but every run does.
    /// </summary>
    public IReadOnlyList<string> SettingNames =>
        Configurations.SelectMany(c => c.Keys).Concat(VaryingSettings).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The objective's canonical form the planner applied to the configurations; null: settings as written.</summary>
    public Func<SettingMap, SettingMap>? Canonicaliser { get; init; }

    /// <summary>Settings an adaptive search derives from a configuration (the bisected value, the rung's budget), in the
    /// same canonical form as the configurations, so their ids follow the same rule.</summary>
    public SettingMap Canonical(SettingMap settings) => Canonicaliser?.Invoke(settings) ?? settings;
}

/// <summary>
/// Expands a <see cref="SweepSpec"/> into runs, refusing it before any work when it is wrong: empty axes, repeated
/// values, zip groups of unequal length, a setting given twice (base and an axis, or two axes: neither silently
/// wins), a conditional axis whose condition never holds, too many runs, and whatever the injected validator
/// says about any expanded configuration. All errors are reported together, each with its key and line.
/// Order: the product of grid axes then zip groups (the last factor varies fastest), then conditional axes in
/// order, then repeats innermost.
/// </summary>
public static class SweepPlanner
{
    /// <summary>Plans larger than this need an explicit <see cref="ExecutionSpec.MaxRuns"/>.</summary>
    public const long DefaultRunLimit = 10_000;

    /// <summary>Plans are held in memory (every run's settings and id), so no max_runs raises the count past this:
    /// a 1000^3 grid with an enormous max_runs exhausted memory while it was expanded. Split larger sweeps.</summary>
    public const long HardRunLimit = 1_000_000;

    /// <summary>Settings the planner sets itself and a spec may not name.</summary>
    public const string SeedSetting = "seed";

    private sealed class Axis(string name, string section, IReadOnlyList<SettingValue> values, int line)
    {
        public string Name { get; } = name;
        public string Key { get; } = $"{section}.{name}";
        public IReadOnlyList<SettingValue> Values { get; } = values;
        public int Line { get; } = line;
    }

    /// <param name="spec">The checked sweep file.</param>
    /// <param name="validator">The objective's check of one configuration's settings; null checks nothing.</param>
    /// <param name="canonicalise">The objective's canonical form of one configuration's settings (its aliases and
    /// casings replaced by one spelling, keys in the same order), applied to every configuration after it was checked,
    /// so that the settings runs carry, the tables and the ids hash one vocabulary: equal runs get equal ids. Null
    /// keeps the settings as written.</param>
    public static SweepPlan Plan(
        SweepSpec spec,
        Func<IReadOnlyDictionary<string, SettingValue>, IReadOnlyList<SettingIssue>>? validator = null,
        Func<SettingMap, SettingMap>? canonicalise = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<SpecError>();
        void Error(int line, string key, string message) => errors.Add(new SpecError(spec.SourcePath, line, key, message));

        // Where each setting is defined, to refuse a second definition and to name keys in messages.
        var definedAt = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in spec.Base)
        {
            if (name == SeedSetting) Error(value.Line, $"base.{name}", "the seed is set by the top-level 'seed' key and 'repeats', not as a setting");
            definedAt[name] = $"base.{name}";
        }

        bool Define(string name, string key, int line)
        {
            if (name == SeedSetting)
            {
                Error(line, key, "the seed is set by the top-level 'seed' key and 'repeats', not as an axis");
                return false;
            }
            if (definedAt.TryGetValue(name, out string? earlier))
            {
                Error(line, key, $"'{name}' is also set by {earlier}; set it in one place only");
                return false;
            }
            definedAt[name] = key;
            return true;
        }

        void CheckValues(Axis axis, bool distinct = true)
        {
            if (axis.Values.Count == 0) { Error(axis.Line, axis.Key, "the axis has no values"); return; }
            if (!distinct) return;
            var seen = new HashSet<SettingValue>();
            foreach (var value in axis.Values)
            {
                if (!seen.Add(value)) Error(value.Line > 0 ? value.Line : axis.Line, axis.Key, $"the value {value} appears twice");
            }
        }

        // Factors of the product: each grid axis alone, each zip group as one factor.
        var factors = new List<Axis[]>();
        foreach (var gridAxis in spec.Grid)
        {
            var axis = new Axis(gridAxis.Name, "grid", gridAxis.Values, gridAxis.Line);
            CheckValues(axis);
            if (Define(axis.Name, axis.Key, axis.Line) && axis.Values.Count > 0) factors.Add([axis]);
        }
        for (int g = 0; g < spec.Zip.Count; g++)
        {
            var group = spec.Zip[g];
            var axes = group.Axes.Select(a => new Axis(a.Name, $"zip[{g}]", a.Values, a.Line)).ToArray();
            if (axes.Length == 0) { Error(group.Line, $"zip[{g}]", "the zip group has no axes"); continue; }
            bool ok = true;
            // In a zip group a value may repeat on one axis (one-factor-at-a-time designs); only a repeated row is refused.
            foreach (var axis in axes)
            {
                CheckValues(axis, distinct: axes.Length == 1);
                ok &= Define(axis.Name, axis.Key, axis.Line) && axis.Values.Count > 0;
            }
            if (axes.Select(a => a.Values.Count).Distinct().Count() > 1)
            {
                Error(group.Line, $"zip[{g}]", "axes that vary together need the same number of values; here "
                    + string.Join(", ", axes.Select(a => $"{a.Name} has {a.Values.Count}")));
                ok = false;
            }
            else if (axes.Length > 1)
            {
                var rows = new HashSet<string>(StringComparer.Ordinal);
                for (int r = 0; r < axes[0].Values.Count; r++)
                {
                    string row = string.Join("|", axes.Select(a => a.Values[r].CanonicalText));
                    if (!rows.Add(row))
                        Error(axes[0].Values[r].Line > 0 ? axes[0].Values[r].Line : group.Line, $"zip[{g}]",
                            $"row {r + 1} ({string.Join(", ", axes.Select(a => $"{a.Name} = {a.Values[r].CanonicalText}"))}) repeats an earlier row");
                }
            }
            if (ok) factors.Add(axes);
        }

        var conditionals = new List<(Axis Axis, ConditionalAxis Source)>();
        for (int c = 0; c < spec.Conditional.Count; c++)
        {
            var source = spec.Conditional[c];
            var axis = new Axis(source.Axis.Name, $"conditional[{c}]", source.Axis.Values, source.Axis.Line);
            CheckValues(axis);
            bool ok = axis.Values.Count > 0;
            if (source.WhenSetting == axis.Name)
            {
                Error(source.Line, axis.Key, "an axis cannot depend on itself");
                ok = false;
            }
            else if (!definedAt.ContainsKey(source.WhenSetting))
            {
                Error(source.Line, $"conditional[{c}].when", $"'{source.WhenSetting}' is not set by base, grid, zip or an earlier conditional axis");
                ok = false;
            }
            if (source.WhenValues.Count == 0)
            {
                Error(source.Line, $"conditional[{c}].when", "the condition lists no values");
                ok = false;
            }
            ok &= Define(axis.Name, axis.Key, axis.Line);
            if (ok) conditionals.Add((axis, source));
        }

        var repeats = spec.Repeats;
        if (repeats.Value < 1) Error(repeats.Line, "repeats", $"must be at least 1, not {repeats.Value}");
        CheckExecution(spec, Error);
        var (searchAxes, searchValues) = CheckSearch(spec, definedAt, Error);

        if (errors.Count > 0) throw new SweepSpecException(errors);

        // Count before expanding, so a million-run grid is refused without building it.
        var execution = spec.Execution;
        // For adaptive searches max_runs is a budget the runner enforces, so only the default limit refuses them.
        bool budgetOnly = spec.Search is not GridSearchSpec && execution.MaxRuns is not null;
        long limit = budgetOnly ? long.MaxValue : execution.MaxRuns?.Value ?? DefaultRunLimit;
        int limitLine = execution.MaxRuns?.Line
            ?? spec.Grid.Select(a => a.Line).Concat(spec.Zip.Select(z => z.Line)).FirstOrDefault(execution.Line);
        double baseCount = factors.Aggregate(1.0, (n, f) => n * f[0].Values.Count);
        double runsPerConfiguration = RunsPerConfigurationBound(spec) * repeats.Value;
        if (baseCount * runsPerConfiguration > limit)
            throw TooMany(spec, baseCount * runsPerConfiguration, limit, limitLine, atLeast: conditionals.Count > 0);
        double planned = baseCount * runsPerConfiguration;
        if (planned > HardRunLimit)
        {
            string counted = planned >= 1e15 ? planned.ToString("0.###e0", System.Globalization.CultureInfo.InvariantCulture) : ((long)planned).ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw new SweepSpecException([new SpecError(spec.SourcePath, execution.MaxRuns?.Line ?? spec.Grid.Select(a => a.Line).FirstOrDefault(execution.Line),
                execution.MaxRuns is null ? "grid" : "execution.max_runs",
                $"the sweep expands to {(conditionals.Count > 0 ? "at least " : "")}{counted} runs; one sweep holds at most {HardRunLimit} (its plan is kept in memory); split it into several sweeps")]);
        }

        var configurations = new List<SettingMap> { spec.Base };
        foreach (var factor in factors)
        {
            var next = new List<SettingMap>(configurations.Count * factor[0].Values.Count);
            foreach (var configuration in configurations)
            {
                for (int i = 0; i < factor[0].Values.Count; i++)
                {
                    var map = configuration;
                    foreach (var axis in factor) map = map.With(axis.Name, axis.Values[i]);
                    next.Add(map);
                }
            }
            configurations = next;
        }
        foreach (var (axis, source) in conditionals)
        {
            // Counted before it is built, like the grid.
            long matching = configurations.Count(c => c.TryGetValue(source.WhenSetting, out var v) && source.WhenValues.Contains(v));
            double expanded = (double)matching * axis.Values.Count + (configurations.Count - matching);
            if (expanded * runsPerConfiguration > Math.Min(limit, HardRunLimit)) throw TooMany(spec, expanded * runsPerConfiguration, Math.Min(limit, HardRunLimit), limitLine, atLeast: true);
            var next = new List<SettingMap>();
            bool applied = false;
            foreach (var configuration in configurations)
            {
                if (configuration.TryGetValue(source.WhenSetting, out var current) && source.WhenValues.Contains(current))
                {
                    applied = true;
                    foreach (var value in axis.Values) next.Add(configuration.With(axis.Name, value));
                }
                else
                {
                    next.Add(configuration);
                }
            }
            if (!applied)
            {
                errors.Add(new SpecError(spec.SourcePath, source.Line, axis.Key,
                    $"never applies: no configuration has {source.WhenSetting} = {string.Join(" or ", source.WhenValues)}"));
            }
            if (next.Count * runsPerConfiguration > Math.Min(limit, HardRunLimit)) throw TooMany(spec, next.Count * runsPerConfiguration, limit, limitLine, atLeast: true);
            configurations = next;
        }
        if (errors.Count > 0) throw new SweepSpecException(errors);

        if (validator is not null) Validate(spec, configurations, searchValues, definedAt, validator);
        if (canonicalise is not null) configurations = Canonicalise(spec, configurations, canonicalise, definedAt);

        var seeds = Enumerable.Range(0, repeats.Value).Select(r => SeedDerivation.ForRepeat(spec.Seed.Value, r)).ToArray();
        var runs = new List<RunSpec>();
        if (spec.Search is GridSearchSpec)
        {
            foreach (var configuration in configurations)
                for (int r = 0; r < seeds.Length; r++) runs.Add(new RunSpec(configuration, seeds[r], r));
            if (runs.Select(r => r.RunId).Distinct(StringComparer.Ordinal).Count() != runs.Count)
                throw new InvalidOperationException("two planned runs have the same id; the planner should have refused a repeated value");
        }
        var varying = factors.SelectMany(f => f.Select(a => a.Name)).Concat(conditionals.Select(c => c.Axis.Name)).Concat(searchAxes).ToArray();
        return new SweepPlan(spec, configurations, seeds, runs, varying, (long)(configurations.Count * runsPerConfiguration)) { Canonicaliser = canonicalise };
    }

    /// <summary>
    /// Every configuration in its canonical form; two configurations that differ only in spelling (soft and off) are
    /// one configuration written twice, refused like a repeated value.
    /// </summary>
    private static List<SettingMap> Canonicalise(SweepSpec spec, List<SettingMap> configurations, Func<SettingMap, SettingMap> canonicalise,
        Dictionary<string, string> definedAt)
    {
        var canonical = new List<SettingMap>(configurations.Count);
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        var errors = new List<SpecError>();
        for (int i = 0; i < configurations.Count; i++)
        {
            var map = canonicalise(configurations[i]);
            if (!map.Keys.SequenceEqual(configurations[i].Keys, StringComparer.Ordinal))
                throw new InvalidOperationException("the canonical form of a configuration must keep its settings and their order");
            string id = CanonicalJson.ConfigId(map);
            if (first.TryGetValue(id, out int earlier))
            {
                var differing = configurations[i].Where(p => p.Value != configurations[earlier][p.Key]).ToList();
                int line = differing.Select(p => p.Value.Line).FirstOrDefault(l => l > 0);
                string spelled = string.Join(", ", differing.Select(p => $"{p.Key} = {configurations[earlier][p.Key].CanonicalText} and {p.Value.CanonicalText}"));
                errors.Add(new SpecError(spec.SourcePath, line, differing.Count > 0 ? definedAt.GetValueOrDefault(differing[0].Key, differing[0].Key) : "grid",
                    $"two configurations are the same run written two ways ({spelled} both read {string.Join(", ", differing.Select(p => $"{p.Key} = {map[p.Key].CanonicalText}"))}); keep one"));
            }
            else
            {
                first[id] = i;
            }
            canonical.Add(map);
        }
        if (errors.Count > 0) throw new SweepSpecException(errors);
        return canonical;
    }

    /// <summary>How many runs one configuration and seed can take under the search (an upper bound for adaptive ones).</summary>
    internal static double RunsPerConfigurationBound(SweepSpec spec) => SearchStrategies.For(spec.Search).RunsPerConfigurationBound(spec.Search);

    private static SweepSpecException TooMany(SweepSpec spec, double count, long limit, int line, bool atLeast)
    {
        string counted = (atLeast ? "at least " : "") + (count >= 1e15 ? count.ToString("0.###e0", System.Globalization.CultureInfo.InvariantCulture) : ((long)count).ToString(System.Globalization.CultureInfo.InvariantCulture));
        string message = spec.Execution.MaxRuns is null
            ? $"the sweep expands to {counted} runs, more than {limit}; set execution.max_runs to at least that number if you mean it"
            : $"the sweep expands to {counted} runs, more than max_runs = {limit}";
        string key = spec.Execution.MaxRuns is null ? "grid" : "execution.max_runs";
        return new SweepSpecException([new SpecError(spec.SourcePath, line, key, message)]);
    }

    private static void CheckExecution(SweepSpec spec, Action<int, string, string> error)
    {
        var e = spec.Execution;
        if (e.Workers < 1) error(e.Line, "execution.workers", $"must be at least 1, not {e.Workers}");
        if (e.MaxRuns is { } maxRuns && maxRuns.Value < 1) error(maxRuns.Line, "execution.max_runs", $"must be at least 1, not {maxRuns.Value}");
        if (e.TimeBudgetSeconds is double t && !(t > 0 && double.IsFinite(t)))
            error(e.Line, "execution.time_budget_seconds", Invariant($"must be a positive number of seconds, not {t}"));
    }

    /// <summary>Checks the search block; returns the settings it varies and the values the validator should see.</summary>
    private static (IReadOnlyList<string> Axes, IReadOnlyList<(string Name, string Key, SettingValue Value)> Values) CheckSearch(
        SweepSpec spec, Dictionary<string, string> definedAt, Action<int, string, string> error)
    {
        switch (spec.Search)
        {
            case BoundarySearchSpec b:
            {
                if (string.IsNullOrEmpty(b.Axis)) error(b.Line, "search.axis", "name the numeric setting to bisect");
                else if (definedAt.TryGetValue(b.Axis, out string? at)) error(b.Line, "search.axis", $"'{b.Axis}' is bisected by the search, so it must not also be set by {at}");
                if (!(double.IsFinite(b.Low) && double.IsFinite(b.High) && b.Low < b.High))
                    error(b.Line, "search.low", Invariant($"low ({b.Low}) must be below high ({b.High})"));
                else if (!(b.Tolerance > 0 && b.Tolerance < b.High - b.Low))
                    error(b.Line, "search.tolerance", Invariant($"must be positive and below high - low = {b.High - b.Low}, not {b.Tolerance}"));
                return ([b.Axis], [(b.Axis, "search.low", SettingValue.FromReal(b.Low, b.Line)), (b.Axis, "search.high", SettingValue.FromReal(b.High, b.Line))]);
            }
            case HalvingSearchSpec h:
            {
                if (string.IsNullOrEmpty(h.Metric)) error(h.Line, "search.metric", "name the metric to rank configurations by");
                if (h.Eta < 2) error(h.Line, "search.eta", $"must be at least 2, not {h.Eta}");
                if (string.IsNullOrEmpty(h.BudgetSetting)) error(h.Line, "search.budget_setting", "name the setting that caps iterations");
                else if (definedAt.TryGetValue(h.BudgetSetting, out string? at))
                    error(h.Line, "search.budget_setting", $"'{h.BudgetSetting}' is set by the search at each rung, so it must not also be set by {at}");
                if (h.Rungs.Count == 0) error(h.Line, "search.rungs", "list at least one budget");
                for (int i = 0; i < h.Rungs.Count; i++)
                {
                    if (h.Rungs[i] < 1 || (i > 0 && h.Rungs[i] <= h.Rungs[i - 1]))
                    {
                        error(h.Line, "search.rungs", "budgets must be positive and increasing, like [10, 30, 90]");
                        break;
                    }
                }
                return ([h.BudgetSetting], h.Rungs.Select(r => (h.BudgetSetting, "search.rungs", SettingValue.FromInteger(r, h.Line))).ToArray());
            }
            default:
                return ([], []);
        }
    }

    private static void Validate(
        SweepSpec spec,
        IReadOnlyList<SettingMap> configurations,
        IReadOnlyList<(string Name, string Key, SettingValue Value)> searchValues,
        Dictionary<string, string> definedAt,
        Func<IReadOnlyDictionary<string, SettingValue>, IReadOnlyList<SettingIssue>> validator)
    {
        var errors = new List<SpecError>();
        var seen = new HashSet<(int, string, string)>();
        void Check(SettingMap settings, string? searchKey)
        {
            foreach (var issue in validator(settings))
            {
                int line = settings.TryGetValue(issue.Key, out var value) ? value.Line : 0;
                string key = issue.Key == spec.Search switch { BoundarySearchSpec b => b.Axis, HalvingSearchSpec h => h.BudgetSetting, _ => null } && searchKey is not null
                    ? searchKey
                    : definedAt.GetValueOrDefault(issue.Key, issue.Key);
                if (seen.Add((line, key, issue.Message))) errors.Add(new SpecError(spec.SourcePath, line, key, issue.Message));
            }
        }
        foreach (var configuration in configurations)
        {
            if (searchValues.Count == 0) Check(configuration, null);
            foreach (var (name, key, value) in searchValues) Check(configuration.With(name, value), key);
        }
        if (errors.Count > 0) throw new SweepSpecException(errors);
    }
}
