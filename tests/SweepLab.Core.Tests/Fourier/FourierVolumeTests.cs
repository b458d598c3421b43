using SweepLab.Core.Fourier;

namespace SweepLab.Core.Tests.Fourier;

public class FourierVolumeTests
{
    private static float[] RandomVolume(int n, int seed)
    {
        var random = new System.Random(seed);
        return Enumerable.Range(0, n * n * n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
    }

    [Theory]
    [InlineData(16)]
    [InlineData(17)]
    public void FullBoxRoundTripIsExactToFloatRounding(int n)
    {
        // An odd box is stored in an even cube of n + 1 (the extra plane stays empty), an even box in n.
        int m = n + (n & 1);
        var volume = RandomVolume(n, n);
        var back = FourierVolume.ToRealSpace(FourierVolume.FromRealSpace(volume, n, m), m, n);
        for (int i = 0; i < volume.Length; i++) Assert.Equal(volume[i], back[i], 4);
    }

    [Theory]
    [InlineData(16, 16)]
    [InlineData(17, 18)] // odd box in an even cube
    [InlineData(20, 12)] // cropped: the mirror of -m/2 lies outside the cube
    [InlineData(58, 58)] // the engine's mask box at 8 A from 64 px
    public void PairTransformsGiveEachMapsOwn(int n, int m)
    {
        var a = RandomVolume(n, 3);
        var b = RandomVolume(n, 4);
        var ownA = FourierVolume.FromRealSpace(a, n, m);
        var ownB = FourierVolume.FromRealSpace(b, n, m);
        var pairA = new float[2 * m * m * m];
        var pairB = new float[2 * m * m * m];
        FourierVolume.FromRealSpacePair(a, b, n, m, pairA, pairB);
        // Relative to the largest coefficient: float rounding of double sums, nothing more.
        double scale = ownA.Concat(ownB).Max(Math.Abs);
        for (int i = 0; i < ownA.Length; i++)
        {
            Assert.True(Math.Abs(pairA[i] - ownA[i]) <= 1e-6 * scale, $"first map, float {i}: pair {pairA[i]}, alone {ownA[i]}");
            Assert.True(Math.Abs(pairB[i] - ownB[i]) <= 1e-6 * scale, $"second map, float {i}: pair {pairB[i]}, alone {ownB[i]}");
        }

        // Back: the pair inverse of two map transforms gives each map's own real-space map.
        var backA = FourierVolume.ToRealSpace(ownA, m, n);
        var backB = FourierVolume.ToRealSpace(ownB, m, n);
        var pairBackA = new float[n * n * n];
        var pairBackB = new float[n * n * n];
        FourierVolume.ToRealSpacePair(ownA, ownB, m, n, pairBackA, pairBackB);
        double realScale = backA.Concat(backB).Max(Math.Abs);
        for (int i = 0; i < backA.Length; i++)
        {
            Assert.True(Math.Abs(pairBackA[i] - backA[i]) <= 1e-5 * realScale, $"first map, voxel {i}: pair {pairBackA[i]}, alone {backA[i]}");
            Assert.True(Math.Abs(pairBackB[i] - backB[i]) <= 1e-5 * realScale, $"second map, voxel {i}: pair {pairBackB[i]}, alone {backB[i]}");
        }
    }

    [Fact]
    public void CroppingKeepsTheLowFrequenciesAndTheirScale()
    {
        // A single cosine along x at frequency 2 survives a crop to m = 8 with its DFT value (n^3 / 2) at +-2.
        int n = 16, m = 8;
        var volume = new float[n * n * n];
        for (int z = 0; z < n; z++) for (int y = 0; y < n; y++) for (int x = 0; x < n; x++)
            volume[(z * n + y) * n + x] = (float)Math.Cos(2 * Math.PI * 2 * (x - n / 2) / n);
        var cropped = FourierVolume.FromRealSpace(volume, n, m);
        int centre = m / 2, plus = 2 * ((centre * m + centre) * m + centre + 2), minus = 2 * ((centre * m + centre) * m + centre - 2);
        Assert.Equal(n * n * n / 2.0, cropped[plus], 2);
        Assert.Equal(n * n * n / 2.0, cropped[minus], 2);
        Assert.Equal(n * n * n, cropped.Sum(v => Math.Abs(v)), 1);
        // Back on the small box: the same cosine sampled on m points (scaled by the DFT normalisation).
        var small = FourierVolume.ToRealSpace(cropped, m, m);
        double scale = small[(centre * m + centre) * m + centre];
        for (int x = 0; x < m; x++)
            Assert.Equal(scale * Math.Cos(2 * Math.PI * 2 * (x - centre) / m), small[(centre * m + centre) * m + x], 4);
    }
}
