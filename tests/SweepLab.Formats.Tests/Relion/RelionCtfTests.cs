using Xunit.Abstractions;
using System.Numerics;
using SweepLab.Core.Ctf;
using SweepLab.Core.Fourier;
using SweepLab.Core.Geometry;
using SweepLab.Core.Particles;
using static SweepLab.Formats.Tests.Relion.RelionTestData;

namespace SweepLab.Formats.Tests.Relion;

/// <summary>
/// CtfMath against RELION 3.1's own CTF: relion_project projects one map at one pose with and without --ctf, and the
/// ratio of the two spectra is RELION's CTF sampled on the image's frequency grid (including the sign of ky, which
/// only astigmatic cases can reveal).
/// </summary>
public class RelionCtfTests(ITestOutputHelper output)
{
    private const double Pixel = 1.5;

    /// <summary>Defocus 5000 to 30000 A, astigmatism at several angles, a phase plate, damping and scale.</summary>
    private static readonly CtfParameters[] Cases =
    [
        Ctf(5000, 5000, 0),
        Ctf(15000, 13000, 35),
        Ctf(30000, 27500, -60),
        Ctf(12000, 10000, 120, phaseShiftDegrees: 90),
        Ctf(20000, 18500, 70.5, phaseShiftDegrees: 30, bFactor: 60, scale: 0.8),
        Ctf(8000, 9500, 10),
    ];

    [SkippableTheory]
    [InlineData(64)]
    [InlineData(65)]
    public void SpectrumRatioMatchesCtfMathWithin1e3(int box)
    {
        Skip.IfNot(RelionTool.Available, RelionTool.SkipReason);
        using var dir = new TempDir();
        var map = NoiseMap(box, 17);
        var pose = Rotation.FromRelionEulerDegrees(23, 61, -137);
        var particles = Cases.Select((c, i) => new ParticleInfo($"{i + 1:D6}@x.mrcs", pose, 0, 0, c)).ToList();
        var plain = Project(dir.Path, "plain", map, box, Pixel, particles, ctf: false);
        var withCtf = Project(dir.Path, "ctf", map, box, Pixel, particles, ctf: true);

        var reference = Spectrum(plain, 0, box);
        double rms = Math.Sqrt(reference.Average(z => z.Magnitude * z.Magnitude));
        double unit = 1.0 / (box * Pixel);
        for (int i = 0; i < Cases.Length; i++)
        {
            Assert.Equal(reference, Spectrum(plain, i, box)); // same pose: the CTF-free projections are identical
            var spectrum = Spectrum(withCtf, i, box);
            var coefficients = Cases[i].ToCoefficients();
            double worst = 0, worstFlipped = 0, worstKernel = 0;
            int compared = 0, total = 0;
            for (int y = 0; y < box; y++)
            {
                int ky = CenteredFourier.SignedFrequency(y, box);
                for (int x = 0; x < box; x++)
                {
                    int kx = CenteredFourier.SignedFrequency(x, box);
                    // An even box's Nyquist row and column hold aliased +-N/2 frequencies: the CTF there is not one number.
                    if (box % 2 == 0 && (Math.Abs(kx) == box / 2 || Math.Abs(ky) == box / 2)) continue;
                    // relion_project fills the disc |k| < N/2 only (its projector's r_max); outside it both spectra are ~0.
                    if (kx * kx + ky * ky >= (box / 2 - 1) * (box / 2 - 1)) continue;
                    total++;
                    var denominator = reference[y * box + x];
                    if (denominator.Magnitude < 0.1 * rms) continue;
                    compared++;
                    var ratio = spectrum[y * box + x] / denominator;
                    double expected = CtfMath.Value(Cases[i], kx * unit, ky * unit);
                    worst = Math.Max(worst, (ratio - expected).Magnitude);
                    worstKernel = Math.Max(worstKernel, (ratio - CtfMath.Value(coefficients, (float)(kx * unit), (float)(ky * unit))).Magnitude);
                    worstFlipped = Math.Max(worstFlipped, (ratio - CtfMath.Value(Cases[i], kx * unit, -ky * unit)).Magnitude);
                }
            }
            output.WriteLine($"box {box} case {i}: max |ratio - CTF| = {worst:E2} ({compared}/{total} frequencies), float kernel version {worstKernel:E2}, with ky flipped {worstFlipped:E2}");
            Assert.True(compared > 0.95 * total, $"case {i}: only {compared} of {total} frequencies have a usable denominator");
            Assert.True(worst <= 1e-3, $"box {box}, case {i} ({Cases[i]}): max |F_ctf / F - CTF| = {worst:E3} over {compared} frequencies");
            Assert.True(worstKernel <= 1e-3, $"box {box}, case {i}: the float (kernel) CTF differs from RELION's by {worstKernel:E3}");
            // The check can tell ky from -ky wherever the CTF is astigmatic.
            if (Cases[i].DefocusUAngstrom != Cases[i].DefocusVAngstrom)
                Assert.True(worstFlipped > 0.1, $"box {box}, case {i}: flipping ky changes the CTF by only {worstFlipped:E3}");
        }
    }
}
