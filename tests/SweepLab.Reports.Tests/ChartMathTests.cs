using SweepLab.Reports.Charts;

namespace SweepLab.Reports.Tests;

public class ChartMathTests
{
    [Theory]
    [InlineData(64, 64, 64)]
    [InlineData(65, 65, 65)]
    [InlineData(16, 17, 18)]
    public void Central_sections_go_through_voxel_n_over_2(int nx, int ny, int nz)
    {
        // Each voxel encodes its own coordinates, so every section value says where it was taken from.
        var data = new float[nx * ny * nz];
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++) data[(z * ny + y) * nx + x] = x + 100 * y + 10000 * z;
        var s = RunCharts.CentralSections(data, nx, ny, nz);
        Assert.Equal(ny, s[0].Length); Assert.Equal(nx, s[0][0].Length);
        Assert.Equal(nz, s[1].Length); Assert.Equal(nx, s[1][0].Length);
        Assert.Equal(nz, s[2].Length); Assert.Equal(ny, s[2][0].Length);
        Assert.Equal(3 + 100 * 5 + 10000 * (nz / 2), s[0][5][3]);
        Assert.Equal(3 + 100 * (ny / 2) + 10000 * 7, s[1][7][3]);
        Assert.Equal(nx / 2 + 100 * 5 + 10000 * 7, s[2][7][5]);
    }

    [Fact]
    public void Downsample_takes_block_means_including_partial_edge_blocks()
    {
        var image = Enumerable.Range(0, 5).Select(r => Enumerable.Range(0, 5).Select(c => (double)(r * 5 + c)).ToArray()).ToArray();
        var small = RunCharts.Downsample(image, 3); // factor 2: blocks 2x2, edges 2x1, 1x2, 1x1
        Assert.Equal(3, small.Length);
        Assert.Equal((0 + 1 + 5 + 6) / 4.0, small[0][0]);
        Assert.Equal((4 + 9) / 2.0, small[0][2]);
        Assert.Equal((20 + 21) / 2.0, small[2][0]);
        Assert.Equal(24, small[2][2]);
        Assert.Same(image, RunCharts.Downsample(image, 5));
    }

    [Fact]
    public void Standardise_gives_zero_mean_unit_std_and_zeros_for_a_constant_map()
    {
        var v = new float[] { 1, 2, 3, 4, 5, 6 };
        RunCharts.Standardise(v);
        Assert.Equal(0, v.Average(), 6);
        Assert.Equal(1, Math.Sqrt(v.Select(x => (double)x * x).Average()), 6);
        var c = new float[] { 2, 2, 2 };
        RunCharts.Standardise(c);
        Assert.All(c, x => Assert.Equal(0, x));
    }

    [Fact]
    public void Ess_bins_cover_1_to_K()
    {
        var centres = RunCharts.EssBinCentres(20, 2);
        Assert.Equal(1.025, centres[0], 12);
        Assert.Equal(1.975, centres[^1], 12);
        Assert.Equal(1 + 0.5 * 3 / 4, RunCharts.EssBinCentres(4, 4)[0], 12);
    }

    private static RunIterations Run(params (string Name, double[] Values)[] series) =>
        new("r", Enumerable.Range(1, series[0].Values.Length).ToArray(), series.ToDictionary(s => s.Name, s => s.Values));

    [Fact]
    public void Switch_points_find_hard_flips_annealing_and_half_lives()
    {
        double[] hard = [0, 0, 0, 1, 1, 1, 0, 0];
        double[] similarity = [0.3, 0.3, 0.2, 0.1, 0, 0, 0, 0];
        double[] rate = [1, 0.8, 0.6, 0.5, 0.4, 0.25, 0.2, 0.9];
        var points = SwitchPoints.Detect(Run(("hard", hard), ("class_similarity", similarity), ("learning_rate", rate)));
        Assert.Equal(
            [(3, "annealing starts"), (4, "hard on"), (4, "rate 1/2"), (5, "similarity 0"), (6, "rate 1/4"), (7, "hard off"), (8, "rate up")],
            points.Select(p => (p.Iteration, p.Label)).ToArray());
        // As the engine writes it: rate 1 forced at t = 0, then eta0 0.5^(t / 2) with eta0 = 0.4; the first half-life is at
        // t = 2 (iteration 3 here), not at t = 1 where the series first drops below half of the forced 1.
        double[] engine = [1, 0.4 * Math.Pow(0.5, 0.5), 0.2, 0.4 * Math.Pow(0.5, 1.5), 0.1, 0.4 * Math.Pow(0.5, 2.5), 0.05, 1];
        Assert.Equal([(3, "rate 1/2"), (5, "rate 1/4"), (7, "rate 1/8"), (8, "rate up")],
            SwitchPoints.Detect(Run(("learning_rate", engine))).Select(p => (p.Iteration, p.Label)).ToArray());
        // A fixed rate, no annealing and no hard switch: nothing to mark.
        Assert.Empty(SwitchPoints.Detect(Run(("hard", [1, 1, 1]), ("class_similarity", [0, 0, 0]), ("learning_rate", [1, 1, 1]))));
    }
}
