namespace SweepLab.Sweeps;

/// <summary>
/// A sweep as the user wrote it, before expansion: fixed settings, the axes that vary, how often to repeat each
/// configuration, how to execute and which search strategy picks the runs. Settings are plain names to values;
/// what they mean is the objective's business (Sweeps knows nothing of cryo-EM).
/// <see cref="SweepPlanner"/> checks the spec and expands it into <see cref="RunSpec"/>s.
/// </summary>
/// <param name="Name">A label for reports; optional.</param>
/// <param name="SourcePath">The file the spec was read from, for error messages; null when built in code.</param>
/// <param name="Dataset">Opaque description of the data, interpreted by the CLI.</param>
/// <param name="Base">Settings shared by every run.</param>
/// <param name="Grid">Axes whose Cartesian product is taken, in order (the last varies fastest).</param>
/// <param name="Zip">Groups of axes that vary together (equal lengths), each one factor of the product.</param>
/// <param name="Conditional">Axes that apply only to configurations where another setting has a given value.</param>
/// <param name="Repeats">Runs per configuration, each with its own seed (see <see cref="SeedDerivation"/>).</param>
/// <param name="Seed">The sweep's base seed, from which each repeat's seed is derived.</param>
/// <param name="Execution">Executor, workers and budgets.</param>
/// <param name="Search">Grid, boundary or halving.</param>
public sealed record SweepSpec(
    string? Name,
    string? SourcePath,
    SpecMap Dataset,
    SettingMap Base,
    IReadOnlyList<GridAxis> Grid,
    IReadOnlyList<ZipGroup> Zip,
    IReadOnlyList<ConditionalAxis> Conditional,
    Located<int> Repeats,
    Located<long> Seed,
    ExecutionSpec Execution,
    SearchSpec Search)
{
    /// <summary>Other programs run once on the dataset for comparison (<c>baselines:</c>); empty when none.</summary>
    public IReadOnlyList<BaselineSpec> Baselines { get; init; } = [];

    /// <summary>A spec with only base settings, one repeat, seed 0, local execution and a grid search.</summary>
    public static SweepSpec Create(SettingMap baseSettings) => new(
        null, null, SpecMap.Empty, baseSettings, [], [], [], new Located<int>(1), new Located<long>(0),
        new ExecutionSpec(), new GridSearchSpec());
}

/// <summary>
/// A baseline program run once per sweep beside its runs: <c>relion</c> is RELION's Class3D without alignment for
/// <paramref name="Iterations"/> iterations (25, RELION's default --iter) on <paramref name="Threads"/> threads (--j).
/// </summary>
public sealed record BaselineSpec(string Name, int Iterations = BaselineSpec.DefaultIterations, int Threads = BaselineSpec.DefaultThreads, int Line = 0)
{
    public const int DefaultIterations = 25;
    public const int DefaultThreads = 2;
}

/// <summary>A value with the 1-based line it was read from (0 when built in code).</summary>
public readonly record struct Located<T>(T Value, int Line = 0);

/// <summary>One axis: a setting name and the values it takes, in order.</summary>
public sealed record GridAxis(string Name, IReadOnlyList<SettingValue> Values, int Line = 0);

/// <summary>Axes that vary together: value i of every axis goes into the same configuration.</summary>
public sealed record ZipGroup(IReadOnlyList<GridAxis> Axes, int Line = 0);

/// <summary>
/// An axis applied only where the setting <paramref name="WhenSetting"/> equals one of <paramref name="WhenValues"/>
/// (for example the switch iteration only for the soft-then-hard schedule); other configurations leave the setting
/// out entirely, so they do not multiply. Conditional axes are applied in order, so one may depend on another.
/// </summary>
public sealed record ConditionalAxis(GridAxis Axis, string WhenSetting, IReadOnlyList<SettingValue> WhenValues, int Line = 0);

/// <summary>Where runs execute.</summary>
public enum ExecutorKind
{
    Local,
    Slurm,
}

/// <summary>
/// How to execute: the executor, concurrent workers (groups of runs in flight), and optional budgets.
/// <paramref name="MaxRuns"/> is both the cap the planner checks a grid against (a grid larger than 10,000 runs
/// needs it set explicitly; a grid larger than it is refused) and the number of runs a runner starts at most in
/// one invocation, which is how it bounds adaptive searches (whose worst case the planner then does not refuse).
/// </summary>
public sealed record ExecutionSpec(
    ExecutorKind Executor = ExecutorKind.Local,
    int Workers = 1,
    Located<long>? MaxRuns = null,
    double? TimeBudgetSeconds = null,
    int Line = 0);

/// <summary>How runs are chosen: the full grid, or an adaptive strategy over it.</summary>
/// <param name="PruneWhen">Stop any run early as soon as one of its iteration reports satisfies this (e.g. collapse).</param>
/// <param name="Line">Line of the search block.</param>
public abstract record SearchSpec(MetricPredicate? PruneWhen, int Line);

/// <summary>Every configuration of the grid, each repeated.</summary>
public sealed record GridSearchSpec(MetricPredicate? PruneWhen = null, int Line = 0) : SearchSpec(PruneWhen, Line);

/// <summary>
/// Stability-boundary finder: for every configuration of the grid and every repeat, bisect the numeric setting
/// <paramref name="Axis"/> over [<paramref name="Low"/>, <paramref name="High"/>] until the interval where
/// <paramref name="Outcome"/> flips is at most <paramref name="Tolerance"/> wide. Each evaluation is a stored run,
/// so an interrupted search resumes where it stopped.
/// </summary>
public sealed record BoundarySearchSpec(
    string Axis,
    double Low,
    double High,
    double Tolerance,
    MetricPredicate Outcome,
    MetricPredicate? PruneWhen = null,
    int Line = 0) : SearchSpec(PruneWhen, Line);

/// <summary>
/// Successive halving over configurations: rung k runs every surviving configuration (all its repeats) with the
/// setting <paramref name="BudgetSetting"/> = <paramref name="Rungs"/>[k] (iterations), scores it by the mean of
/// <paramref name="Metric"/> over repeats, and promotes the best ceil(n / <paramref name="Eta"/>) to the next rung.
/// A configuration with a pruned or failed repeat is never promoted. Each rung restarts runs from iteration 0 (runs
/// are not checkpointed), which keeps every decision a pure function of stored results, and so deterministic.
/// </summary>
public sealed record HalvingSearchSpec(
    string Metric,
    bool Maximize,
    int Eta,
    string BudgetSetting,
    IReadOnlyList<long> Rungs,
    MetricPredicate? PruneWhen = null,
    int Line = 0) : SearchSpec(PruneWhen, Line);
