using SweepLab.Core.Geometry;
using SweepLab.Core.Random;

namespace SweepLab.Simulation;

/// <summary>
/// The simulator's draws, each keyed by (seed, stream, index, draw) through Core's counter-based generator, so
/// particle i gets the same pose, CTF and noise however the work is split across threads. Public so that other
/// generators of test data (the RELION corpus in tests/Shared) draw poses the same way, on streams of their own.
/// </summary>
public readonly struct SimulationRandom(ulong seed, uint stream)
{
    public const uint StreamPhantom = 1, StreamLabels = 2, StreamPose = 3, StreamCtf = 4, StreamShift = 5, StreamNoise = 6, StreamScale = 7;

    public double Uniform(long draw) => CounterRng.NextDouble(seed, stream, 0, checked((uint)draw));

    public double Uniform(long index, long draw) => CounterRng.NextDouble(seed, stream, (ulong)index, checked((uint)draw));

    public double Normal(long index, long draw) => CounterRng.NextNormal(seed, stream, (ulong)index, checked((uint)draw));

    /// <summary>Shoemake's uniform random rotation from three uniforms in [0, 1).</summary>
    public static Rotation UniformRotation(double u1, double u2, double u3)
    {
        double a = Math.Sqrt(1 - u1), b = Math.Sqrt(u1);
        double w = a * Math.Sin(2 * Math.PI * u2), x = a * Math.Cos(2 * Math.PI * u2);
        double y = b * Math.Sin(2 * Math.PI * u3), z = b * Math.Cos(2 * Math.PI * u3);
        return new Rotation(
            1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
            2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
            2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y));
    }
}
