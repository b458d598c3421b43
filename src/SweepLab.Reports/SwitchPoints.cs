namespace SweepLab.Reports;

/// <summary>A moment where a schedule changed regime, to mark on convergence curves.</summary>
public sealed record SwitchPoint(int Iteration, string Label);

/// <summary>
/// Finds schedule switch points in a run's per-iteration series (the schedules are pure functions of the iteration,
/// so every seed of a configuration has the same ones):
/// <list type="bullet">
/// <item>hard: each iteration where the hard flag changes ("hard on", "hard off");</item>
/// <item>class similarity: the first iteration it falls below its start value ("annealing starts") and the first
/// where it reaches 0 after being positive ("similarity 0");</item>
/// <item>learning rate: the first iterations where it has fallen to 1/2, 1/4 and 1/8 of the O-EM's initial rate eta0
/// (its half-lives), and any iteration where it rises ("rate up", e.g. a switch to full-batch steps). Iteration 0 runs
/// at the forced rate 1, so eta0 is read from iterations 1 and 2: eta(t) = eta0 r^t gives eta0 = eta(1)^2 / eta(2).</item>
/// </list>
/// </summary>
public static class SwitchPoints
{
    public static IReadOnlyList<SwitchPoint> Detect(RunIterations run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var points = new List<SwitchPoint>();
        var it = run.Iterations;
        if (run.Get("hard") is { } hard)
            for (int i = 1; i < hard.Length; i++)
                if (double.IsFinite(hard[i]) && double.IsFinite(hard[i - 1]) && (hard[i] != 0) != (hard[i - 1] != 0))
                    points.Add(new SwitchPoint(it[i], hard[i] != 0 ? "hard on" : "hard off"));
        if (run.Get("class_similarity") is { } s && s.Length > 0 && s[0] > 0)
        {
            int start = Array.FindIndex(s, 1, v => v < s[0]);
            if (start > 0) points.Add(new SwitchPoint(it[start], "annealing starts"));
            for (int i = 1; i < s.Length; i++)
                if (s[i] == 0 && s[i - 1] > 0)
                {
                    points.Add(new SwitchPoint(it[i], "similarity 0"));
                    break;
                }
        }
        if (run.Get("learning_rate") is { } lr && lr.Length > 1 && lr[1] > 0)
        {
            // eta0 from the O-EM iterations after the forced first one (a fixed rate gives r = 1: no half-lives)
            double eta0 = lr.Length > 2 && lr[2] > 0 && lr[2] <= lr[1] ? lr[1] * lr[1] / lr[2] : lr[1];
            for (int halvings = 1; halvings <= 3; halvings++)
            {
                double level = eta0 * Math.Pow(0.5, halvings) * (1 + 1e-9);
                int at = Array.FindIndex(lr, 1, v => v <= level);
                if (at < 0) break;
                points.Add(new SwitchPoint(it[at], $"rate 1/{1 << halvings}"));
            }
            for (int i = 1; i < lr.Length; i++)
                if (lr[i] > lr[i - 1] * (1 + 1e-9)) points.Add(new SwitchPoint(it[i], "rate up"));
        }
        return points.OrderBy(p => p.Iteration).ThenBy(p => p.Label, StringComparer.Ordinal).ToList();
    }
}
