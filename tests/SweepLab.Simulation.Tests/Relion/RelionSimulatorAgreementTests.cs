using Xunit.Abstractions;

namespace SweepLab.Simulation.Tests.Relion;

/// <summary>
/// Issue 3's acceptance check: noise-free SweepLab particles (exact blob projections, RELION's CTF, origin shift)
/// and relion_project's projections of the rendered truth map, for the simulator's own poses, CTFs and origins,
/// correlate at 0.99 or better for every particle, on even and odd boxes. A flipped origin sign must fail.
/// </summary>
public class RelionSimulatorAgreementTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData(64)]
    [InlineData(65)]
    public void NoiseFreeSimulatedParticlesMatchRelionProject(int box)
    {
        Skip.IfNot(RelionTool.Available, RelionTool.SkipReason);
        using var dir = new TempDir();
        var settings = new SimulationSettings
        {
            Particles = 16, BoxPixels = box, PixelSizeAngstrom = 3.0, Snr = 1, Seed = 11, CoreBlobs = 24,
            DefocusMinAngstrom = 5000, DefocusMaxAngstrom = 30000, AstigmatismAngstrom = 2000, ShiftSigmaAngstrom = 9,
        };
        var phantom = PhantomFactory.Create(settings)[0];
        var particles = ParticleSimulator.Simulate(settings).Particles;
        Assert.Contains(particles, q => Math.Abs(q.OriginXAngstrom) > 6 || Math.Abs(q.OriginYAngstrom) > 6);
        var relion = RelionProjection.Project(dir.Path, "sim", phantom.Render(box, settings.PixelSizeAngstrom), box,
            settings.PixelSizeAngstrom, particles, ctf: true);

        double worst = 1, bestFlipped = -1;
        for (int i = 0; i < particles.Count; i++)
        {
            var q = particles[i];
            var ours = ParticleSimulator.RenderProjection(phantom, q.Rotation, q.OriginXAngstrom, q.OriginYAngstrom, settings.PixelSizeAngstrom, box, q.Ctf);
            var image = RelionOddBox.ToCentreAtHalfBox(relion.AsSpan(i * box * box, box * box), box);
            double r = ImageCompare.Correlation(image, ours);
            worst = Math.Min(worst, r);
            Assert.True(r >= 0.99, $"box {box}, particle {i} (origin {q.OriginXAngstrom:F2}, {q.OriginYAngstrom:F2} A): correlation {r:F4}");
            double shift = Math.Sqrt(q.OriginXAngstrom * q.OriginXAngstrom + q.OriginYAngstrom * q.OriginYAngstrom);
            if (shift > 6)
            {
                var flipped = ParticleSimulator.RenderProjection(phantom, q.Rotation, -q.OriginXAngstrom, -q.OriginYAngstrom, settings.PixelSizeAngstrom, box, q.Ctf);
                bestFlipped = Math.Max(bestFlipped, ImageCompare.Correlation(image, flipped));
            }
        }
        output.WriteLine($"box {box}: lowest correlation {worst:F5} over {particles.Count} particles; origin sign flipped (|origin| > 6 A): at most {bestFlipped:F3}");
        Assert.True(bestFlipped < 0.9, $"box {box}: with the origin sign flipped a particle still correlates at {bestFlipped:F4}");
    }
}
