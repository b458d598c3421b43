using System.Globalization;
using SweepLab.Formats.Mrc;
using SweepLab.Reports.Html;

namespace SweepLab.Reports.Charts;

/// <summary>Charts of individual runs: convergence curves, ESS distributions, parallel coordinates, map slices.</summary>
internal static class RunCharts
{
    /// <summary>plotly.js's default colour sequence; class k (0-based) always gets colour k.</summary>
    public static readonly string[] Palette =
        ["#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880", "#ff97ff", "#fecb52"];

    private static readonly string[] Dashes = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];

    private static Dictionary<string, object> Title(string text) => new() { ["text"] = text };

    /// <summary>Number of classes a run's iteration series cover (fraction_hard_1 .. fraction_hard_K).</summary>
    public static int ClassCount(RunIterations run)
    {
        int k = 0;
        while (run.Series.ContainsKey($"fraction_hard_{k + 1}")) k++;
        return k;
    }

    /// <summary>
    /// Six panels for one configuration, every seed overlaid (line dash = seed): hard class fractions (colour =
    /// class), mean ESS, fraction of particles changing class, mean log-likelihood, the schedules (learning rate,
    /// class similarity, hard flag) and the volume change. Switch points of the schedules are dotted vertical
    /// lines on every panel, labelled on the schedule panel.
    /// </summary>
    public static Figure Convergence(ConfigSummary config, string label, IReadOnlyList<RunIterations> runs)
    {
        var figure = new Figure($"Convergence: {label}", 760);
        string[] titles = ["class fractions (hard)", "mean ESS", "fraction changing class", "mean log-likelihood", "schedules", "volume change (RMS)"];
        var axes = figure.Grid(6, 2, titles, 0.08, 0.1);
        for (int p = 4; p < 6; p++) axes[p].X["title"] = Title("iteration");
        axes[1].Y["rangemode"] = "tozero";
        axes[0].Y["range"] = new[] { 0.0, 1.0 };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int r = 0; r < runs.Count; r++)
        {
            var run = runs[r];
            var row = config.Runs.FirstOrDefault(x => x.RunId == run.RunId);
            string seed = row is null ? run.RunId : $"seed {row.Seed}";
            string dash = Dashes[r % Dashes.Length];
            var x = run.Iterations.Select(i => (double)i).ToArray();
            int k = ClassCount(run);
            for (int c = 0; c < k; c++)
                AddLine(figure, x, run.Get($"fraction_hard_{c + 1}")!, 0, $"class {c + 1}", Palette[c % Palette.Length], dash, seed, legend: seen.Add($"class {c + 1}"));
            AddLine(figure, x, run.Get("mean_ess"), 1, $"mean ESS ({seed})", "#374151", dash, seed);
            AddLine(figure, x, run.Get("fraction_changed"), 2, $"changed ({seed})", "#374151", dash, seed);
            AddLine(figure, x, run.Get("mean_log_likelihood"), 3, $"log-likelihood ({seed})", "#374151", dash, seed);
            AddLine(figure, x, run.Get("volume_change_rms"), 5, $"volume change ({seed})", "#374151", dash, seed);
            if (r == 0)
            {
                AddLine(figure, x, run.Get("learning_rate"), 4, "learning rate", "#2563eb", "solid", "schedule", legend: true);
                AddLine(figure, x, run.Get("class_similarity"), 4, "class similarity", "#d97706", "solid", "schedule", legend: true);
                AddLine(figure, x, run.Get("hard"), 4, "hard (0/1)", "#111827", "dot", "schedule", legend: true, shape: "hv");
                var switches = SwitchPoints.Detect(run).Take(12).ToList();
                for (int i = 0; i < switches.Count; i++)
                {
                    var sp = switches[i];
                    for (int p = 0; p < 6; p++)
                    {
                        var (xId, yId) = Figure.AxisIds(p);
                        figure.Shapes.Add(new Dictionary<string, object>
                        {
                            ["type"] = "line", ["xref"] = xId, ["yref"] = $"{yId} domain", ["x0"] = sp.Iteration, ["x1"] = sp.Iteration,
                            ["y0"] = 0, ["y1"] = 1, ["line"] = new Dictionary<string, object> { ["color"] = "#6b7280", ["width"] = 1, ["dash"] = "dot" },
                        });
                    }
                    var (sx, sy) = Figure.AxisIds(4);
                    figure.Annotations.Add(new Dictionary<string, object>
                    {
                        ["text"] = Figure.Escape(sp.Label), ["xref"] = sx, ["yref"] = $"{sy} domain", ["x"] = sp.Iteration,
                        ["y"] = 1 - 0.12 * (i % 6), ["showarrow"] = false, ["xanchor"] = "left", ["font"] = new Dictionary<string, object> { ["size"] = 10 },
                        ["bgcolor"] = "rgba(255,255,255,0.7)",
                    });
                }
            }
        }
        figure.Layout["legend"] = new Dictionary<string, object> { ["orientation"] = "h", ["y"] = -0.08 };
        return figure;
    }

    private static void AddLine(Figure figure, double[] x, double[]? y, int panel, string name, string colour, string dash, string group,
        bool legend = false, string shape = "linear")
    {
        if (y is null) return;
        var (xa, ya) = Figure.AxisIds(panel);
        figure.Add(Traces.Scatter(x, y, name), "scatter", new Dictionary<string, object?>
        {
            ["y"] = Figure.Clean(y),
            ["mode"] = "lines",
            ["line"] = new Dictionary<string, object> { ["color"] = colour, ["dash"] = dash, ["width"] = 1.5, ["shape"] = shape },
            ["xaxis"] = xa, ["yaxis"] = ya,
            ["legendgroup"] = name,
            ["showlegend"] = legend,
            ["hovertemplate"] = $"{Figure.Escape(name)}, {Figure.Escape(group)}<br>iteration %{{x}}: %{{y:.4g}}<extra></extra>",
        });
    }

    /// <summary>ESS bin centres for <paramref name="bins"/> equal bins over [1, K].</summary>
    public static double[] EssBinCentres(int bins, int classCount) =>
        Enumerable.Range(0, bins).Select(b => 1 + (b + 0.5) * (classCount - 1) / bins).ToArray();

    /// <summary>
    /// Per-particle ESS distribution of each configuration: the final ESS histograms of its finished seeds summed and
    /// normalised to fractions of particles. One line per configuration when they are few, else one heatmap row each.
    /// </summary>
    public static Figure? Ess(IReadOnlyList<(string Label, double[] Fractions, int Classes)> rows, int linesLimit, string rowTitle)
    {
        if (rows.Count == 0) return null;
        int classes = rows.Max(r => r.Classes);
        int bins = rows[0].Fractions.Length;
        var centres = EssBinCentres(bins, classes);
        if (rows.Count <= linesLimit)
        {
            var figure = new Figure("Per-particle ESS distribution per configuration", 440);
            foreach (var (label, fractions, k) in rows)
                figure.Add(Traces.Scatter(EssBinCentres(fractions.Length, k), fractions, label), "scatter", new Dictionary<string, object?>
                {
                    ["y"] = Figure.Clean(fractions),
                    ["mode"] = "lines+markers",
                    ["line"] = new Dictionary<string, object> { ["shape"] = "hvh" },
                    ["hovertemplate"] = $"{Figure.Escape(label)}<br>ESS %{{x:.2f}}: %{{y:.3f}} of particles<extra></extra>",
                });
            figure.Layout["xaxis"] = new Dictionary<string, object> { ["title"] = Title("ESS (effective number of classes)"), ["range"] = new[] { 1.0, classes } };
            figure.Layout["yaxis"] = new Dictionary<string, object> { ["title"] = Title("fraction of particles"), ["rangemode"] = "tozero" };
            figure.Layout["legend"] = new Dictionary<string, object> { ["font"] = new Dictionary<string, object> { ["size"] = 10 } };
            return figure;
        }
        int plotPixels = Math.Clamp(16 * rows.Count, 240, 1480);
        var heat = new Figure("Per-particle ESS distribution per configuration (fraction of particles per ESS bin)", plotPixels + 120);
        // Rows are labelled by their (unique) rank first, so cut labels stay distinct; the hover keeps the full text.
        var labels = rows.Select(r => TickLabels.Shorten(r.Label)).ToArray();
        var z = rows.Select(r => r.Fractions).ToArray();
        var xs = centres.Select(c => c.ToString("0.##", CultureInfo.InvariantCulture)).ToArray();
        heat.Add(Traces.Heatmap(xs, labels, z), "heatmap", new Dictionary<string, object?>
        {
            ["z"] = Figure.Clean(z),
            ["colorscale"] = "Blues", ["reversescale"] = true,
            ["zmin"] = 0.0,
            ["colorbar"] = new Dictionary<string, object> { ["title"] = Title("fraction") },
            ["text"] = rows.Select(r => Enumerable.Repeat(Figure.Escape(r.Label), bins).ToArray()).ToArray(),
            ["hovertemplate"] = "%{text}<br>ESS %{x}: %{z:.3f} of particles<extra></extra>",
        });
        heat.Layout["xaxis"] = new Dictionary<string, object> { ["title"] = Title("ESS bin centre"), ["type"] = "category" };
        var yAxis = new Dictionary<string, object> { ["title"] = Title(rowTitle), ["type"] = "category", ["autorange"] = "reversed", ["automargin"] = true, ["tickfont"] = new Dictionary<string, object> { ["size"] = 10 } };
        TickLabels.Thin(yAxis, TickLabels.Step(rows.Count, plotPixels));
        heat.Layout["yaxis"] = yAxis;
        return heat;
    }

    /// <summary>Plot height of a parallel-coordinates axis (the figure's 520 px less its margins).</summary>
    private const double ParallelAxisPixels = 360;

    /// <summary>
    /// Every finished run as one line across the varying settings and its outcomes, coloured by split ratio.
    /// Settings that are not numbers get integer positions with their values as tick labels.
    /// </summary>
    public static Figure? Parallel(IReadOnlyList<SweepAxis> axes, IReadOnlyList<RunRow> runs, IReadOnlyList<string> metrics)
    {
        var usable = metrics.Where(m => runs.Any(r => double.IsFinite(r.Metric(m)))).ToList();
        var rows = runs.Where(r => r.Finished && usable.All(m => double.IsFinite(r.Metric(m)))).ToList();
        if (rows.Count == 0 || axes.Count + usable.Count == 0) return null;
        var dimensions = new List<object>();
        foreach (var axis in axes)
        {
            var dimension = new Dictionary<string, object> { ["label"] = axis.Name };
            if (axis.IsNumeric)
                dimension["values"] = rows.Select(r => double.Parse(r.Settings[axis.Name], CultureInfo.InvariantCulture)).ToArray();
            else
            {
                dimension["values"] = rows.Select(r => (double)IndexOf(axis.Values, r.Settings[axis.Name])).ToArray();
                // Parallel axes are about 360 px tall: at most one label per 14 px.
                var (ticks, texts) = TickLabels.Every(axis.Values, TickLabels.Step(axis.Values.Count, ParallelAxisPixels));
                dimension["tickvals"] = ticks;
                dimension["ticktext"] = texts;
                dimension["range"] = new[] { -0.25, axis.Values.Count - 0.75 };
            }
            dimensions.Add(dimension);
        }
        foreach (string m in usable)
        {
            var dimension = new Dictionary<string, object> { ["label"] = m, ["values"] = Figure.Clean(rows.Select(r => r.Metric(m)), 4) };
            if (m is SweepSummary.SplitRatio or SweepSummary.Accuracy or SweepSummary.Collapsed or "ari") dimension["range"] = new[] { 0.0, 1.0 };
            dimensions.Add(dimension);
        }
        var figure = new Figure($"All {rows.Count} finished runs (drag along an axis to filter)", 520);
        figure.Add(Traces.ParallelCoordinates(), "parcoords", new Dictionary<string, object?>
        {
            ["dimensions"] = dimensions,
            ["line"] = new Dictionary<string, object>
            {
                ["color"] = Figure.Clean(rows.Select(r => r.Metric(SweepSummary.SplitRatio)), 4),
                ["colorscale"] = "Viridis", ["cmin"] = 0.0, ["cmax"] = 1.0, ["showscale"] = true,
                ["colorbar"] = new Dictionary<string, object> { ["title"] = Title("split ratio") },
            },
        });
        figure.Layout["margin"] = new Dictionary<string, object> { ["l"] = 80, ["r"] = 80, ["t"] = 120, ["b"] = 40 };
        return figure;
    }

    private static int IndexOf(IReadOnlyList<string> values, string value)
    {
        for (int i = 0; i < values.Count; i++) if (values[i] == value) return i;
        return -1;
    }

    /// <summary>
    /// Central xy, xz and yz sections of each class map of a run (one row per class), each map scaled to zero mean and
    /// unit standard deviation so one grey scale fits all; sections wider than <paramref name="maxPixels"/> are
    /// block-averaged. The centre is voxel n/2 on each axis (the MRC/RELION origin for odd and even boxes alike).
    /// </summary>
    public static Figure Slices(string title, IReadOnlyList<string> mapPaths, int maxPixels)
    {
        var figure = new Figure(title, 60 + 250 * mapPaths.Count);
        var titles = new List<string>();
        for (int k = 0; k < mapPaths.Count; k++) titles.AddRange([$"class {k + 1}: xy (z = n/2)", $"class {k + 1}: xz (y = n/2)", $"class {k + 1}: yz (x = n/2)"]);
        var axes = figure.Grid(3 * mapPaths.Count, 3, titles, 0.04, 0.3 / Math.Max(1, mapPaths.Count));
        for (int k = 0; k < mapPaths.Count; k++)
        {
            var (header, data) = MrcFile.ReadVolume(mapPaths[k]);
            Standardise(data);
            var sections = CentralSections(data, header.Nx, header.Ny, header.Nz);
            for (int s = 0; s < 3; s++)
            {
                int panel = 3 * k + s;
                var image = Downsample(sections[s], maxPixels);
                var (xa, ya) = Figure.AxisIds(panel);
                var cols = Enumerable.Range(0, image[0].Length).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
                var rows = Enumerable.Range(0, image.Length).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
                figure.Add(Traces.Heatmap(cols, rows, image), "heatmap", new Dictionary<string, object?>
                {
                    ["z"] = Figure.Clean(image, 3),
                    ["x"] = null, ["y"] = null,
                    ["colorscale"] = "Greys", ["reversescale"] = false, ["zmin"] = -3.0, ["zmax"] = 3.0, ["zauto"] = false,
                    ["showscale"] = false, ["xaxis"] = xa, ["yaxis"] = ya,
                    ["hovertemplate"] = "%{z:.2f} σ<extra></extra>",
                    ["name"] = titles[panel],
                });
                axes[panel].X["visible"] = false;
                axes[panel].Y["visible"] = false;
                axes[panel].Y["scaleanchor"] = xa;
                axes[panel].X["constrain"] = "domain";
                axes[panel].Y["constrain"] = "domain";
            }
        }
        return figure;
    }

    /// <summary>In place: (v - mean) / std; a constant map becomes all zeros.</summary>
    internal static void Standardise(float[] data)
    {
        double sum = 0, sumSquares = 0;
        foreach (float v in data) { sum += v; sumSquares += (double)v * v; }
        double mean = sum / data.Length;
        double std = Math.Sqrt(Math.Max(0, sumSquares / data.Length - mean * mean));
        float scale = std > 0 ? (float)(1 / std) : 0;
        for (int i = 0; i < data.Length; i++) data[i] = (float)((data[i] - mean) * scale);
    }

    /// <summary>
    /// The sections through voxel (nx/2, ny/2, nz/2) of a z-major volume (x fastest): [0] xy as [y][x], [1] xz as
    /// [z][x], [2] yz as [z][y].
    /// </summary>
    internal static double[][][] CentralSections(float[] data, int nx, int ny, int nz)
    {
        int cx = nx / 2, cy = ny / 2, cz = nz / 2;
        var xy = new double[ny][];
        for (int y = 0; y < ny; y++)
        {
            xy[y] = new double[nx];
            for (int x = 0; x < nx; x++) xy[y][x] = data[((long)cz * ny + y) * nx + x];
        }
        var xz = new double[nz][];
        var yz = new double[nz][];
        for (int z = 0; z < nz; z++)
        {
            xz[z] = new double[nx];
            for (int x = 0; x < nx; x++) xz[z][x] = data[((long)z * ny + cy) * nx + x];
            yz[z] = new double[ny];
            for (int y = 0; y < ny; y++) yz[z][y] = data[((long)z * ny + y) * nx + cx];
        }
        return [xy, xz, yz];
    }

    /// <summary>Block means over factor x factor pixels, factor = ceil(size / maxPixels); edge blocks may be partial.</summary>
    internal static double[][] Downsample(double[][] image, int maxPixels)
    {
        int rows = image.Length, cols = image[0].Length;
        int factor = (Math.Max(rows, cols) + maxPixels - 1) / maxPixels;
        if (factor <= 1) return image;
        int outRows = (rows + factor - 1) / factor, outCols = (cols + factor - 1) / factor;
        var result = new double[outRows][];
        for (int r = 0; r < outRows; r++)
        {
            result[r] = new double[outCols];
            for (int c = 0; c < outCols; c++)
            {
                double sum = 0;
                int n = 0;
                for (int i = r * factor; i < Math.Min(rows, (r + 1) * factor); i++)
                    for (int j = c * factor; j < Math.Min(cols, (c + 1) * factor); j++) { sum += image[i][j]; n++; }
                result[r][c] = sum / n;
            }
        }
        return result;
    }
}
