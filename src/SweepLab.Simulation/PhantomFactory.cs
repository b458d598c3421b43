using SweepLab.Core.Geometry;

namespace SweepLab.Simulation;

/// <summary>
/// Builds the ground-truth volumes of a preset from the seed: a globular core of Gaussian blobs and one or more
/// subunits on its surface. Every blob position is a function of (seed, blob index), so adding particles or changing
/// the noise never changes the maps.
/// </summary>
public static class PhantomFactory
{
    /// <summary>Blob width in pixels: wide enough that sampling and interpolation errors stay below 1e-3 at Nyquist.</summary>
    private const double MinSigmaPixels = 1.25;

    public static IReadOnlyList<Phantom> Create(SimulationSettings settings)
    {
        settings.EnsureValid();
        double boxAngstrom = settings.BoxPixels * settings.PixelSizeAngstrom;
        double coreRadius = 0.24 * boxAngstrom;
        double sigma = Math.Max(MinSigmaPixels * settings.PixelSizeAngstrom, 0.02 * boxAngstrom);
        var rng = new SimulationRandom(settings.Seed, SimulationRandom.StreamPhantom);
        long draw = 0;

        var core = new List<GaussianBlob>();
        for (int i = 0; i < settings.CoreBlobs; i++)
        {
            var (x, y, z) = PointInBall(rng, ref draw, coreRadius - sigma);
            core.Add(new GaussianBlob(x, y, z, sigma * (0.8 + 0.4 * rng.Uniform(draw++)), 1.0));
        }

        double f = settings.SubunitMassFraction;
        double coreMass = core.Sum(b => b.Mass);
        // The subunit is built blob by blob until its mass reaches f of the whole (core + subunit).
        double subunitMass = coreMass * f / (1 - f);
        int subunitBlobs = Math.Max(2, (int)Math.Round(settings.CoreBlobs * f / (1 - f)));
        double subunitRadius = Math.Max(2 * sigma, coreRadius * Math.Cbrt((double)subunitBlobs / settings.CoreBlobs));

        var frame = RandomRotation(rng, ref draw);
        (double X, double Y, double Z)[] directions = [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)];
        List<GaussianBlob> Subunit(int which)
        {
            var d = frame.Apply(directions[which].X, directions[which].Y, directions[which].Z);
            double reach = coreRadius + 0.5 * subunitRadius;
            var blobs = new List<GaussianBlob>();
            for (int i = 0; i < subunitBlobs; i++)
            {
                var (x, y, z) = PointInBall(rng, ref draw, subunitRadius - sigma);
                blobs.Add(new GaussianBlob(d.X * reach + x, d.Y * reach + y, d.Z * reach + z, sigma * (0.8 + 0.4 * rng.Uniform(draw++)), 1.0));
            }
            double scale = subunitMass / blobs.Sum(b => b.Mass);
            return blobs.Select(b => b with { Amplitude = b.Amplitude * scale }).ToList();
        }

        switch (settings.Preset)
        {
            case HeterogeneityPreset.Compositional:
            {
                var sub = Subunit(0);
                return [new Phantom("with_subunit", [.. core, .. sub]), new Phantom("without_subunit", core)];
            }
            case HeterogeneityPreset.Conformational:
            {
                var sub = Subunit(0);
                var d = frame.Apply(1, 0, 0);
                var hinge = (X: d.X * coreRadius, Y: d.Y * coreRadius, Z: d.Z * coreRadius);
                var axis = frame.Apply(0, 0, 1);
                double angle = settings.DomainRotationDegrees * Math.PI / 180;
                var turn = Rotation.FromAxisAngle(axis.X * angle, axis.Y * angle, axis.Z * angle);
                var moved = sub.Select(b =>
                {
                    var r = turn.Apply(b.XAngstrom - hinge.X, b.YAngstrom - hinge.Y, b.ZAngstrom - hinge.Z);
                    return b with { XAngstrom = r.X + hinge.X, YAngstrom = r.Y + hinge.Y, ZAngstrom = r.Z + hinge.Z };
                }).ToList();
                return [new Phantom("open", [.. core, .. sub]), new Phantom($"rotated_{settings.DomainRotationDegrees:0.#}deg", [.. core, .. moved])];
            }
            default:
            {
                int k = settings.Classes;
                var result = new List<Phantom>();
                for (int c = 0; c < k - 1; c++) result.Add(new Phantom($"subunit_{(char)('A' + c)}", [.. core, .. Subunit(c)]));
                result.Add(new Phantom("core_only", core));
                return result;
            }
        }
    }

    private static (double X, double Y, double Z) PointInBall(SimulationRandom rng, ref long draw, double radius)
    {
        while (true)
        {
            double x = 2 * rng.Uniform(draw++) - 1, y = 2 * rng.Uniform(draw++) - 1, z = 2 * rng.Uniform(draw++) - 1;
            if (x * x + y * y + z * z <= 1) return (x * radius, y * radius, z * radius);
        }
    }

    private static Rotation RandomRotation(SimulationRandom rng, ref long draw)
    {
        double u1 = rng.Uniform(draw++), u2 = rng.Uniform(draw++), u3 = rng.Uniform(draw++);
        return SimulationRandom.UniformRotation(u1, u2, u3);
    }
}
