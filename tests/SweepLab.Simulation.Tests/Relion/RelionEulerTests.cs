using SweepLab.Core.Geometry;
using SweepLab.Core.Particles;
using Xunit.Abstractions;

namespace SweepLab.Simulation.Tests.Relion;

/// <summary>
/// Rotation.FromRelionEulerDegrees against RELION's own Euler convention: relion_project projects an asymmetric map
/// at poses with non-trivial rot, tilt and psi, and SweepLab projects the same map by a plain real-space rotation
/// (RealSpace) and analytically (ParticleSimulator.RenderProjection of the blobs). A transposed matrix or swapped
/// rot/psi must visibly fail, so the check cannot pass by symmetry.
/// </summary>
public class RelionEulerTests(ITestOutputHelper output)
{
    private const double Pixel = 2.0;

    /// <summary>Five blobs of different sizes and weights at places no rotation maps onto each other.</summary>
    private static readonly Phantom Asymmetric = new("asymmetric",
    [
        new GaussianBlob(22, 0, 0, 6, 1.0),
        new GaussianBlob(-10, 18, 4, 5, 0.8),
        new GaussianBlob(0, -8, 24, 7, 0.6),
        new GaussianBlob(-14, -16, -12, 5, 1.2),
        new GaussianBlob(6, 10, -20, 4.5, 0.9),
    ]);

    private static readonly (double Rot, double Tilt, double Psi)[] Poses =
    [
        (30, 50, 70),
        (-120, 100, 15),
        (75, 140, -45),
        (160, 35, -110),
        (-60, 80, 150),
    ];

    [SkippableTheory]
    [InlineData(64)]
    [InlineData(65)]
    public void RelionProjectionsMatchRealSpaceRotationAtRelionEulerAngles(int box)
    {
        Skip.IfNot(RelionTool.Available, RelionTool.SkipReason);
        using var dir = new TempDir();
        var map = Asymmetric.Render(box, Pixel);
        var particles = Poses.Select((p, i) => new ParticleInfo($"{i + 1:D6}@x.mrcs",
            Rotation.FromRelionEulerDegrees(p.Rot, p.Tilt, p.Psi), 0, 0, RelionProjection.AnyCtf)).ToList();
        var relion = RelionProjection.Project(dir.Path, "euler", map, box, Pixel, particles, ctf: false);

        var rotated = new float[map.Length];
        var realSpace = new float[box * box];
        for (int i = 0; i < Poses.Length; i++)
        {
            var raw = relion.AsSpan(i * box * box, box * box);
            var image = RelionOddBox.ToCentreAtHalfBox(raw, box);
            var pose = particles[i].Rotation;
            RealSpace.RotateVolumeTrilinear(map, box, pose, rotated);
            RealSpace.ProjectAlongZ(rotated, box, realSpace);
            double real = ImageCompare.Correlation(image, realSpace);
            double unmoved = ImageCompare.Correlation(raw, realSpace);
            double analytic = ImageCompare.Correlation(image, Render(pose, box));
            double transposed = ImageCompare.Correlation(image, Render(pose.Transpose(), box));
            var (rot, tilt, psi) = Poses[i];
            double swapped = ImageCompare.Correlation(image, Render(Rotation.FromRelionEulerDegrees(psi, tilt, rot), box));
            output.WriteLine($"box {box} pose ({rot}, {tilt}, {psi}): real-space {real:F5} (RELION image as written: {unmoved:F5}), analytic {analytic:F5}; wrong conventions: transposed {transposed:F3}, rot<->psi {swapped:F3}");
            Assert.True(real >= 0.99, $"pose {Poses[i]}: RELION vs real-space rotation correlate at {real:F4}");
            Assert.True(analytic >= 0.99, $"pose {Poses[i]}: RELION vs analytic blob projection correlate at {analytic:F4}");
            Assert.True(transposed < 0.9, $"pose {Poses[i]}: the transposed matrix still correlates at {transposed:F4}");
            Assert.True(swapped < 0.9, $"pose {Poses[i]}: swapping rot and psi still correlates at {swapped:F4}");
        }
    }

    private static float[] Render(Rotation pose, int box) => ParticleSimulator.RenderProjection(Asymmetric, pose, 0, 0, Pixel, box, ctf: null);
}
