using SweepLab.Core.Fourier;
using SweepLab.Engine.Configuration;

namespace SweepLab.Engine.Tests.Steps;

/// <summary>The RELION-style steps behind noise_update, tau2_source, resolution_schedule and consensus initialisation, each alone.</summary>
public class EmStepsTests
{
    private static readonly FourierCrop Grid = new(32, 4.0, 8.0); // max radius 16

    [Fact]
    public void LikelihoodWeightsAreInverseNoiseInsideTheShellRangeAndZeroOutside()
    {
        var noise = Enumerable.Range(0, 17).Select(s => 10.0 + s).ToArray();
        var weights = EmSteps.LikelihoodWeights(noise, NoiseModel.Coloured, Grid, 1, 9);
        Assert.Equal(0f, weights[0]);
        for (int s = 1; s <= 9; s++) Assert.Equal((float)(1 / noise[s]), weights[s]);
        for (int s = 10; s < 17; s++) Assert.Equal(0f, weights[s]);
        // White: one pooled variance, the pixel-weighted mean over the shells in range.
        var white = EmSteps.LikelihoodWeights(noise, NoiseModel.White, Grid, 1, 9);
        double sum = 0; long count = 0;
        foreach (short s in Grid.ShellValues) if (s is >= 1 and <= 9) { sum += noise[s]; count++; }
        Assert.Equal((float)(count / sum), white[5]);
        Assert.Equal(white[1], white[9]);
        Assert.Equal(0f, white[10]);
    }

    [Fact]
    public void NoiseFromShellResidualsIsTheMeanPowerPerCoefficient()
    {
        int shells = 17, particles = 3;
        var pixels = new long[shells];
        foreach (short s in Grid.ShellValues) pixels[s]++;
        var perParticle = new float[particles * shells];
        // Particle i contributes (i + 1) x 2 per coefficient of every shell: mean 4.
        for (int i = 0; i < particles; i++)
            for (int s = 0; s < shells; s++) perParticle[i * shells + s] = (float)(2.0 * (i + 1) * pixels[s]);
        var noise = EmSteps.NoiseFromShellResiduals(perParticle, particles, Grid, shells);
        Assert.All(noise, v => Assert.Equal(4.0, v, 5));
    }

    [Fact]
    public void ClassMapRegulariserFollowsTheClassSpectrumAboveMinresAndZeroesEmptyShells()
    {
        var noise = Enumerable.Repeat(8.0, 12).ToArray();
        var tau2 = Enumerable.Range(0, 12).Select(s => s < 10 ? 2.0 * s : 0).ToArray();
        var reg = EmSteps.ClassMapRegulariser(noise, tau2, fudge: 4);
        for (int s = 0; s < EmSteps.UnregularisedShells; s++) Assert.Equal(0f, reg[s]);
        for (int s = EmSteps.UnregularisedShells; s < 10; s++) Assert.Equal((float)(8.0 / (4 * 2.0 * s)), reg[s], 6);
        Assert.True(reg[10] >= 1e29f && reg[11] >= 1e29f);
    }

    [Fact]
    public void NextLikelihoodShellIsTheBestClassesSsnrLimitPlusTenShells()
    {
        int shells = 40;
        var noise = Enumerable.Repeat(1.0, shells).ToArray();
        double[] Tau2(int lastGood) => Enumerable.Range(0, shells).Select(s => s <= lastGood ? 1.0 : 0.01).ToArray();
        var den = Enumerable.Repeat(1.0, shells).ToArray();
        // T tau^2 den / sigma^2 = 4 up to the last good shell, 0.04 beyond.
        Assert.Equal(12 + 10, EmSteps.NextLikelihoodShell([Tau2(8), Tau2(12)], [den, den], noise, 4, shells - 1));
        Assert.Equal(39, EmSteps.NextLikelihoodShell([Tau2(35)], [den], noise, 4, shells - 1));
        // A class with no weight is skipped; the floor is minres_map.
        Assert.Equal(EmSteps.UnregularisedShells + 10, EmSteps.NextLikelihoodShell([Tau2(1), Tau2(30)], [den, new double[shells]], noise, 4, shells - 1));
        Assert.Equal(round(32 * 4.0 / 30) + 10, EmSteps.InitialLikelihoodShell(Grid, 30, 100));
        static int round(double v) => (int)Math.Round(v);
    }

    [Fact]
    public void RandomPartitionIsOneHotPerParticleWhateverTheBatchOrder()
    {
        int k = 3;
        int[] batch = Enumerable.Range(0, 3000).ToArray();
        var posteriors = new double[batch.Length * k];
        var ess = new double[batch.Length];
        EmSteps.RandomPartition(7, batch, k, posteriors, ess);
        var classOf = Enumerable.Range(0, batch.Length).Select(i => Array.IndexOf(posteriors, 1.0, i * k, k) - i * k).ToArray();
        Assert.All(Enumerable.Range(0, batch.Length), i => Assert.Equal(1.0, posteriors.AsSpan(i * k, k).ToArray().Sum()));
        Assert.All(ess, e => Assert.Equal(1.0, e));
        for (int c = 0; c < k; c++) Assert.InRange(classOf.Count(x => x == c), 900, 1100);
        // Reversed batch: each particle keeps its class.
        var reversed = batch.Reverse().ToArray();
        var again = new double[batch.Length * k];
        EmSteps.RandomPartition(7, reversed, k, again, ess);
        for (int i = 0; i < reversed.Length; i++) Assert.Equal(1.0, again[i * k + classOf[reversed[i]]]);
        // Another seed, another partition.
        EmSteps.RandomPartition(8, batch, k, again, ess);
        Assert.NotEqual(posteriors, again);
    }

    [Fact]
    public void FocusKeepsEachClassInsideTheMaskAndTheirWeightedMeanOutside()
    {
        const int voxels = 999;
        var random = new Random(7);
        var real = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, voxels).Select(_ => (float)random.NextDouble()).ToArray()).ToArray();
        // A mask with inside (1), outside (0) and a soft edge (0.5).
        var mask = new float[voxels];
        for (int i = 0; i < mask.Length; i++) mask[i] = (i % 3) switch { 0 => 1f, 1 => 0f, _ => 0.5f };
        var maps = real.Select(r => (float[])r.Clone()).ToArray();
        double[] weights = [0.5, 0.3, 0.2];
        EmSteps.FocusClassDifferences(maps, weights, mask);
        for (int i = 0; i < voxels; i++)
        {
            double mean = weights[0] * real[0][i] + weights[1] * real[1][i] + weights[2] * real[2][i];
            for (int k = 0; k < 3; k++) Assert.Equal(mean + mask[i] * (real[k][i] - mean), maps[k][i], 1e-6);
            if (mask[i] == 0) Assert.True(maps[0][i] == maps[1][i] && maps[1][i] == maps[2][i], "outside the mask the classes are one map");
        }
        // Weights need not sum to one (5:3:2 is the same mean); a mask of ones changes nothing.
        var scaled = real.Select(r => (float[])r.Clone()).ToArray();
        EmSteps.FocusClassDifferences(scaled, [5, 3, 2], mask);
        for (int k = 0; k < 3; k++) Assert.Equal(maps[k], scaled[k]);
        var again = real.Select(r => (float[])r.Clone()).ToArray();
        EmSteps.FocusClassDifferences(again, [5, 3, 2], Enumerable.Repeat(1f, voxels).ToArray());
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < voxels; i++) Assert.Equal(real[k][i], again[k][i], 1e-6);
        Assert.Throws<ArgumentException>(() => EmSteps.FocusClassDifferences(again, [0, 0, 0], mask));
        Assert.Throws<ArgumentException>(() => EmSteps.FocusClassDifferences(again, [1, 1], mask));
    }
}
