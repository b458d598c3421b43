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
