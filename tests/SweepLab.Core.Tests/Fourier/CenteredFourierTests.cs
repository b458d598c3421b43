using System.Numerics;
using SweepLab.Core.Fourier;

namespace SweepLab.Core.Tests.Fourier;

public class CenteredFourierTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(64)]
    [InlineData(65)]
    public void Signed_frequencies_follow_fftfreq_order(int n)
    {
        for (int k = 0; k < n; k++)
        {
            int f = CenteredFourier.SignedFrequency(k, n);
            int expected = k < (n + 1) / 2 ? k : k - n; // numpy.fft.fftfreq(n) * n
            Assert.Equal(expected, f);
            Assert.Equal(k, CenteredFourier.FrequencyIndex(f, n));
        }
        if (n % 2 == 0) Assert.Equal(-n / 2, CenteredFourier.SignedFrequency(n / 2, n));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(65)]
    public void Delta_at_the_origin_has_a_constant_transform(int n)
    {
        var image = new float[n * n];
        image[(n / 2) * n + n / 2] = 1;
        var f = new Complex[n * n];
        CenteredFourier.FromImage(image, n, f);
        foreach (var v in f)
        {
            Assert.Equal(1.0, v.Real, 13);
            Assert.Equal(0.0, v.Imaginary, 13);
        }
    }

    [Theory]
    [InlineData(7, 1, 0)]
    [InlineData(8, 1, 0)]
    [InlineData(64, 1, 0)]
    [InlineData(65, 1, 0)]
    [InlineData(64, -3, 2)]
    [InlineData(65, 5, -7)]
    public void Offset_delta_gives_the_phase_ramp(int n, int dx, int dy)
    {
        var image = new float[n * n];
        int c = n / 2;
        image[(c + dy) * n + c + dx] = 1;
        var f = new Complex[n * n];
        CenteredFourier.FromImage(image, n, f);
        for (int ky = 0; ky < n; ky++)
        {
            for (int kx = 0; kx < n; kx++)
            {
                // e^(-2 pi i (kx dx + ky dy) / n): exact integer reduction in the reference.
                Complex expected = NaiveDft.Root((long)kx * dx + (long)ky * dy, n, -1);
                Assert.True(Complex.Abs(f[ky * n + kx] - expected) < 1e-12, $"({kx}, {ky}): {f[ky * n + kx]} vs {expected}");
            }
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(16)]
    [InlineData(17)]
    public void FromImage_matches_the_centred_dft_definition(int n)
    {
        var image = TestData.FloatArray(n * n, 23);
        var f = new Complex[n * n];
        CenteredFourier.FromImage(image, n, f);
        int c = n / 2;
        for (int ky = 0; ky < n; ky++)
        {
            for (int kx = 0; kx < n; kx++)
            {
                Complex sum = Complex.Zero;
                for (int y = 0; y < n; y++)
                    for (int x = 0; x < n; x++)
                        sum += image[y * n + x] * NaiveDft.Root((long)kx * (x - c) + (long)ky * (y - c), n, -1);
                Assert.True(Complex.Abs(f[ky * n + kx] - sum) < 1e-12 * n * n, $"({kx}, {ky})");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(65)]
    public void ToImage_inverts_FromImage(int n)
    {
        var image = TestData.FloatArray(n * n, 29);
        var f = new Complex[n * n];
        CenteredFourier.FromImage(image, n, f);
        var back = new float[n * n];
        CenteredFourier.ToImage(f, n, back);
        for (int i = 0; i < image.Length; i++) Assert.Equal(image[i], back[i], 6);
    }

    [Theory]
    [InlineData(5, 1, 2, -2)]
    [InlineData(6, 1, 2, -3)]
    [InlineData(16, 0, 0, 0)]
    [InlineData(17, -2, 1, 4)]
    public void Volume_delta_gives_the_3d_phase_ramp_and_round_trips(int n, int dx, int dy, int dz)
    {
        int c = n / 2;
        var vol = new float[n * n * n];
        vol[((c + dz) * n + c + dy) * n + c + dx] = 1;
        var f = new Complex[vol.Length];
        CenteredFourier.FromVolume(vol, n, f);
        for (int kz = 0; kz < n; kz++)
            for (int ky = 0; ky < n; ky++)
                for (int kx = 0; kx < n; kx++)
                {
                    Complex expected = NaiveDft.Root((long)kx * dx + (long)ky * dy + (long)kz * dz, n, -1);
                    Assert.True(Complex.Abs(f[(kz * n + ky) * n + kx] - expected) < 1e-12);
                }

        var random = TestData.FloatArray(n * n * n, 31);
        CenteredFourier.FromVolume(random, n, f);
        var back = new float[random.Length];
        CenteredFourier.ToVolume(f, n, back);
        for (int i = 0; i < random.Length; i++) Assert.Equal(random[i], back[i], 6);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void FromVolume_matches_the_centred_dft_definition(int n)
    {
        var vol = TestData.FloatArray(n * n * n, 37);
        var f = new Complex[vol.Length];
        CenteredFourier.FromVolume(vol, n, f);
        int c = n / 2;
        for (int kz = 0; kz < n; kz++)
            for (int ky = 0; ky < n; ky++)
                for (int kx = 0; kx < n; kx++)
                {
                    Complex sum = Complex.Zero;
                    for (int z = 0; z < n; z++)
                        for (int y = 0; y < n; y++)
                            for (int x = 0; x < n; x++)
                                sum += vol[(z * n + y) * n + x] *
                                       NaiveDft.Root((long)kx * (x - c) + (long)ky * (y - c) + (long)kz * (z - c), n, -1);
                    Assert.True(Complex.Abs(f[(kz * n + ky) * n + kx] - sum) < 1e-11);
                }
    }

    [Theory]
    [InlineData(64, 3, -5)]
    [InlineData(64, -32, 31)]
    [InlineData(65, -7, 2)]
    [InlineData(65, 64, -65)]
    [InlineData(8, 4, 4)]
    public void Integer_shift_is_an_exact_circular_roll(int n, int dx, int dy)
    {
        var image = TestData.FloatArray(n * n, 41);
        var f = new Complex[n * n];
        CenteredFourier.FromImage(image, n, f);
        CenteredFourier.ApplyShift(f, n, dx, dy);
        var shifted = new float[n * n];
        CenteredFourier.ToImage(f, n, shifted);
        for (int y = 0; y < n; y++)
        {
            for (int x = 0; x < n; x++)
            {
                // np.roll(image, (dy, dx), axis=(0, 1)): shifted(x) = image(x - d)
                int sx = ((x - dx) % n + n) % n, sy = ((y - dy) % n + n) % n;
                Assert.Equal(image[sy * n + sx], shifted[y * n + x], 6);
            }
        }
    }

    [Theory]
    [InlineData(64)]
    [InlineData(65)]
    public void Fractional_shift_moves_a_band_limited_blob_and_undoes_itself(int n)
    {
        // A wide Gaussian is effectively band-limited, so its Fourier shift is the continuous shift.
        const double sigma = 4, dx = 2.3, dy = -1.7;
        int c = n / 2;
        var image = new float[n * n];
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
                image[y * n + x] = (float)Math.Exp(-((x - c) * (x - c) + (y - c) * (y - c)) / (2 * sigma * sigma));
        var f = new Complex[n * n];
        CenteredFourier.FromImage(image, n, f);
        var original = (Complex[])f.Clone();
        CenteredFourier.ApplyShift(f, n, dx, dy);
        var shifted = new float[n * n];
        CenteredFourier.ToImage(f, n, shifted);
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                double expected = Math.Exp(-((x - c - dx) * (x - c - dx) + (y - c - dy) * (y - c - dy)) / (2 * sigma * sigma));
                Assert.True(Math.Abs(shifted[y * n + x] - expected) < 2e-6, $"({x}, {y}): {shifted[y * n + x]} vs {expected}");
            }
        CenteredFourier.ApplyShift(f, n, -dx, -dy);
        Assert.True(TestData.MaxAbsDiff(f, original) < 1e-12 * TestData.MaxAbs(original));
    }

    [Fact]
    public void Shift_phase_sign_convention()
    {
        // image'(x) = image(x - d)  <=>  F'(k) = F(k) e^(-2 pi i k.d / n); a quarter-period shift at k = 1 is -i.
        var p = CenteredFourier.ShiftPhase(1, 0, 16, 0, 64);
        Assert.Equal(0.0, p.Real, 15);
        Assert.Equal(-1.0, p.Imaginary, 15);
        Assert.Equal(CenteredFourier.ShiftPhase(3, 2, 0.5, 0.25, 10), CenteredFourier.ShiftPhase(2, 3, 0.25, 0.5, 10));
    }
}
