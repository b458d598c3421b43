using SweepLab.Core.Ctf;

namespace SweepLab.Core.Tests.Ctf;

public class CtfTests
{
    /// <summary>
    /// Independent reference: lambda = h / sqrt(2 m0 e V (1 + e V / (2 m0 c^2))) from CODATA 2018 exact/recommended
    /// constants, in Angstrom.
    /// </summary>
    private static double CodataWavelengthAngstrom(double kilovolt)
    {
        const double h = 6.62607015e-34;       // J s (exact)
        const double m0 = 9.1093837015e-31;    // kg
        const double e = 1.602176634e-19;      // C (exact)
        const double c = 299792458;            // m/s (exact)
        double v = kilovolt * 1e3;
        return h / Math.Sqrt(2 * m0 * e * v * (1 + e * v / (2 * m0 * c * c))) * 1e10;
    }

    [Theory]
    [InlineData(60)]
    [InlineData(100)]
    [InlineData(120)]
    [InlineData(200)]
    [InlineData(300)]
    public void Wavelength_matches_the_relativistic_formula(double kilovolt)
    {
        // RELION's 12.2643247 / sqrt(V (1 + 0.978466e-6 V)) rounds the constants; it stays within 7e-6 relative.
        double relative = CtfParameters.ElectronWavelengthAngstrom(kilovolt) / CodataWavelengthAngstrom(kilovolt) - 1;
        Assert.InRange(relative, -1e-5, 1e-5);
    }

    [Fact]
    public void Wavelength_reference_values_at_300_and_200_kV()
    {
        // The CODATA formula itself: 0.01968749 A at 300 kV and 0.02507934 A at 200 kV.
        Assert.InRange(CodataWavelengthAngstrom(300), 0.01968745, 0.01968755);
        Assert.InRange(CodataWavelengthAngstrom(200), 0.02507930, 0.02507940);
        // RELION's rounded constants give 0.01968762 and 0.02507949.
        Assert.InRange(CtfParameters.ElectronWavelengthAngstrom(300), 0.0196875, 0.0196877);
        Assert.InRange(CtfParameters.ElectronWavelengthAngstrom(200), 0.0250794, 0.0250796);
        Assert.Equal(CtfParameters.ElectronWavelengthAngstrom(300), new CtfParameters(1e4, 1e4, 0, 300, 2.7, 0.1).WavelengthAngstrom);
    }

    [Theory]
    [InlineData(300, 10000)]
    [InlineData(200, 25000)]
    [InlineData(300, 5000)]
    public void Zeros_of_a_pure_phase_ctf_sit_at_n_over_lambda_defocus(double kilovolt, double defocus)
    {
        var p = new CtfParameters(defocus, defocus, 0, kilovolt, sphericalAberrationMillimetre: 0, amplitudeContrast: 0);
        double lambda = p.WavelengthAngstrom;
        foreach (double direction in new[] { 0.0, 0.4, 1.3, 2.9, -2.0 })
        {
            for (int zero = 1; zero <= 8; zero++)
            {
                double u = Math.Sqrt(zero / (lambda * defocus));
                Assert.True(Math.Abs(CtfMath.Value(p, u * Math.Cos(direction), u * Math.Sin(direction))) < 1e-9, $"zero {zero}");
                // Between zeros the CTF peaks at +-1: sin(pi lambda D u^2) with RELION's sign (positive at low frequency).
                double peak = Math.Sqrt((zero - 0.5) / (lambda * defocus));
                Assert.Equal(zero % 2 == 1 ? 1.0 : -1.0, CtfMath.Value(p, peak * Math.Cos(direction), peak * Math.Sin(direction)), 9);
            }
        }
    }

    [Fact]
    public void Spherical_aberration_zeros_in_mm_at_zero_defocus()
    {
        // chi = pi/2 Cs lambda^3 u^4 with Cs in Angstrom (1 mm = 1e7 A); zeros at u^4 = 2 n / (Cs lambda^3).
        var p = new CtfParameters(0, 0, 0, 300, sphericalAberrationMillimetre: 2.7, amplitudeContrast: 0);
        double lambda = p.WavelengthAngstrom, cs = 2.7e7;
        for (int zero = 1; zero <= 4; zero++)
        {
            double u = Math.Pow(2.0 * zero / (cs * lambda * lambda * lambda), 0.25);
            Assert.True(Math.Abs(CtfMath.Value(p, u, 0)) < 1e-9);
        }
    }

    [Fact]
    public void Amplitude_contrast_phase_shift_and_b_factor()
    {
        Assert.Equal(0.07, CtfMath.Value(new CtfParameters(15000, 15000, 0, 300, 2.7, 0.07), 0, 0), 12);
        Assert.Equal(1.0, CtfMath.Value(new CtfParameters(15000, 15000, 0, 300, 2.7, 0, phaseShiftDegrees: 90), 0, 0), 12);
        var sharp = new CtfParameters(15000, 15000, 0, 300, 2.7, 0.1);
        var blurred = new CtfParameters(15000, 15000, 0, 300, 2.7, 0.1, bFactorAngstrom2: 80);
        const double u = 0.11;
        Assert.Equal(CtfMath.Value(sharp, u, 0) * Math.Exp(-80 * u * u / 4), CtfMath.Value(blurred, u, 0), 12);
        Assert.Equal(-2 * CtfMath.Value(sharp, u, 0), CtfMath.Value(new CtfParameters(15000, 15000, 0, 300, 2.7, 0.1, scale: -2), u, 0), 12);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    [InlineData(-75)]
    public void Astigmatism_uses_defocus_u_along_the_angle_and_v_perpendicular(double angleDegrees)
    {
        var astig = new CtfParameters(22000, 14000, angleDegrees, 300, 2.7, 0.1);
        var roundU = new CtfParameters(22000, 22000, 0, 300, 2.7, 0.1);
        var roundV = new CtfParameters(14000, 14000, 0, 300, 2.7, 0.1);
        double a = angleDegrees * Math.PI / 180, perp = a + Math.PI / 2;
        for (double u = 0.01; u < 0.3; u += 0.0137)
        {
            Assert.Equal(CtfMath.Value(roundU, u, 0), CtfMath.Value(astig, u * Math.Cos(a), u * Math.Sin(a)), 9);
            Assert.Equal(CtfMath.Value(roundV, u, 0), CtfMath.Value(astig, u * Math.Cos(perp), u * Math.Sin(perp)), 9);
            // At 45 degrees to the axes the defocus is the mean of U and V.
            var roundMean = new CtfParameters(18000, 18000, 0, 300, 2.7, 0.1);
            Assert.Equal(CtfMath.Value(roundMean, u, 0), CtfMath.Value(astig, u * Math.Cos(a + Math.PI / 4), u * Math.Sin(a + Math.PI / 4)), 9);
        }
    }

    /// <summary>
    /// float32 carries chi (up to hundreds of radians at high defocus and resolution) to ~6e-8 relative, so the
    /// kernel's error is 1e-5 plus a few float ulps of chi (measured: 5e-6 on the first two grids, 1.1e-5 at
    /// 2 um defocus and 1 A pixels, where |chi| reaches 300); the first two grids stay under 1e-5 outright.
    /// </summary>
    [Theory]
    [InlineData(64, 1.5, 8000, 6000, 33, 0, true)]
    [InlineData(65, 1.2, 12000, 11000, -110, 20, true)]
    [InlineData(128, 1.0, 20000, 19000, 75, 0, false)]
    [InlineData(200, 0.85, 35000, 30000, 10, 0, false)]
    public void Float_kernel_matches_the_double_reference_over_a_grid(int n, double pixelAngstrom, double du, double dv, double angle,
        double phaseShift, bool within1e5Everywhere)
    {
        var p = new CtfParameters(du, dv, angle, 300, 2.7, 0.1, phaseShift, bFactorAngstrom2: 30);
        var coefficients = p.ToCoefficients();
        double worst = 0;
        for (int iy = -n / 2; iy < n / 2; iy++)
        {
            for (int ix = 0; ix <= n / 2; ix++)
            {
                double kx = ix / (n * pixelAngstrom), ky = iy / (n * pixelAngstrom);
                double reference = CtfMath.Value(p, kx, ky);
                float kernel = CtfMath.Value(coefficients, (float)kx, (float)ky);
                double chiBound = Math.PI * p.WavelengthAngstrom * Math.Max(du, dv) * (kx * kx + ky * ky);
                double tolerance = 1e-5 + 3 * Math.Pow(2, -24) * chiBound;
                Assert.True(Math.Abs(kernel - reference) < tolerance, $"({ix}, {iy}): {kernel} vs {reference}");
                worst = Math.Max(worst, Math.Abs(kernel - reference));
            }
        }
        if (within1e5Everywhere) Assert.True(worst < 1e-5, $"worst float/double difference {worst:E3}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(33.0)]
    [InlineData(90.0)]
    [InlineData(-127.5)]
    public void Single_precision_formula_matches_the_double_reference_at_every_direction_and_high_phase(double azimuthDegrees)
    {
        // 4.5 um defocus, 1.5 um astigmatism, out to 2.5 A: the phase passes 100 rad, where a float sin needs its reduction.
        var p = new CtfParameters(52000, 37000, azimuthDegrees, 300, 2.7, 0.1, phaseShiftDegrees: 20);
        var c = p.ToCoefficients();
        double worst = 0;
        for (double u = 0; u <= 0.4; u += 0.0037)
            for (int step = 0; step < 72; step++)
            {
                double direction = step * Math.PI / 36;
                double kx = u * Math.Cos(direction), ky = u * Math.Sin(direction);
                worst = Math.Max(worst, Math.Abs(CtfMath.Value(c, (float)kx, (float)ky) - CtfMath.Value(p, kx, ky)));
            }
        // float phase of ~200 rad carries ~1e-5 rad of rounding; a wrong astigmatic term or reduction is off by O(1).
        Assert.True(worst < 2e-4, $"worst {worst}");
    }

    [Fact]
    public void Reduced_sine_matches_the_sine_over_thousands_of_radians()
    {
        for (double x = -3000; x <= 3000; x += 0.731)
            Assert.Equal(Math.Sin((float)x), CtfMath.SinReduced((float)x), 2e-4 + Math.Abs(x) * 1e-7);
    }
}
