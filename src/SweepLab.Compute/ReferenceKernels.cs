using SweepLab.Compute.Kernels;
using SweepLab.Core.Ctf;
using SweepLab.Core.Particles;

namespace SweepLab.Compute;

/// <summary>
/// Plain host versions of every kernel: straightforward loops in double precision, written independently of
/// <see cref="Kernels.KernelMath"/> (own interpolation, double-precision CTF and rotations), so that tests compare
/// the device kernels against something that shares none of their code. Slow; for tests and small checks only.
/// </summary>
public static class ReferenceKernels
{
    /// <summary>CTF of every kept pixel of one particle in double precision (1 everywhere when not applied).</summary>
    public static double[] Ctf(ParticleSet particles, int particle, bool applyCtf = true)
    {
        var grid = particles.Grid;
        var result = new double[grid.PixelCount];
        for (int p = 0; p < result.Length; p++)
        {
            var (kx, ky) = grid.FrequencyPerAngstrom(p);
            result[p] = applyCtf ? CtfMath.Value(particles.Particles[particle].Ctf, kx, ky) : 1.0;
        }
        return result;
    }

    /// <summary>Trilinear sample of volume <paramref name="volume"/> at frequency q (voxel units); zero outside the grid.</summary>
    public static (double Re, double Im) Sample(ReadOnlySpan<float> volumes, int volume, int box, double qx, double qy, double qz)
    {
        double gx = qx + box / 2, gy = qy + box / 2, gz = qz + box / 2;
        int x0 = (int)Math.Floor(gx), y0 = (int)Math.Floor(gy), z0 = (int)Math.Floor(gz);
        double re = 0, im = 0;
        for (int corner = 0; corner < 8; corner++)
        {
            int x = x0 + (corner & 1), y = y0 + ((corner >> 1) & 1), z = z0 + ((corner >> 2) & 1);
            if (x < 0 || y < 0 || z < 0 || x >= box || y >= box || z >= box) continue;
            double w = (1 - Math.Abs(gx - x)) * (1 - Math.Abs(gy - y)) * (1 - Math.Abs(gz - z));
            long index = 2 * ((((long)volume * box + z) * box + y) * box + x);
            re += w * volumes[(int)index];
            im += w * volumes[(int)index + 1];
        }
        return (re, im);
    }

    /// <summary>Whether kept pixel p is sampled from an M^3 volume (|k| &lt;= M/2 - 1, on the integer frequency).</summary>
    public static bool Sampled(int kx, int ky, int box) => kx * kx + ky * ky <= (box / 2 - 1) * (box / 2 - 1);

    /// <summary>The central slice of one volume at a particle's pose (no CTF): projector P of the adjoint test.</summary>
    public static (double Re, double Im)[] Slice(ParticleSet particles, int particle, ReadOnlySpan<float> volumes, int volume, int box)
    {
        var grid = particles.Grid;
        var rotation = particles.Particles[particle].Rotation;
        var result = new (double, double)[grid.PixelCount];
        for (int p = 0; p < result.Length; p++)
        {
            int kx = grid.KxValues[p], ky = grid.KyValues[p];
            if (!Sampled(kx, ky, box)) continue;
            var (qx, qy, qz) = rotation.ApplyTranspose(kx, ky, 0);
            result[p] = Sample(volumes, volume, box, qx, qy, qz);
        }
        return result;
    }

    /// <summary>Reference of <see cref="ClassificationKernels.Residuals"/>, output [b * V + j]; invSigma2 shared or V spectra.</summary>
    public static double[] Residuals(ParticleSet particles, ReadOnlySpan<int> batch, ReadOnlySpan<int> volumeIndices,
        ReadOnlySpan<float> volumes, int box, ReadOnlySpan<float> invSigma2, bool applyCtf = true)
    {
        var grid = particles.Grid;
        var result = new double[batch.Length * volumeIndices.Length];
        int shells = grid.MaxRadius + 1;
        bool perVolume = invSigma2.Length == volumeIndices.Length * shells;
        for (int b = 0; b < batch.Length; b++)
        {
            double[] ctf = Ctf(particles, batch[b], applyCtf);
            ReadOnlySpan<float> x = particles.Coefficients(batch[b]);
            for (int j = 0; j < volumeIndices.Length; j++)
            {
                var slice = Slice(particles, batch[b], volumes, volumeIndices[j], box);
                var weights = perVolume ? invSigma2.Slice(j * shells, shells) : invSigma2;
                double sum = 0;
                for (int p = 0; p < grid.PixelCount; p++)
                {
                    double dr = x[2 * p] - ctf[p] * slice[p].Re, di = x[2 * p + 1] - ctf[p] * slice[p].Im;
                    sum += (dr * dr + di * di) * weights[grid.ShellValues[p]];
                }
                result[b * volumeIndices.Length + j] = sum;
            }
        }
        return result;
    }

    /// <summary>Reference of <see cref="ClassificationKernels.ShellResiduals"/>, output [b * shells + s].</summary>
    public static double[] ShellResiduals(ParticleSet particles, ReadOnlySpan<int> batch, ReadOnlySpan<int> volumeIndices,
        ReadOnlySpan<float> volumes, int box, ReadOnlySpan<float> weights, bool applyCtf = true)
    {
        var grid = particles.Grid;
        int shells = grid.MaxRadius + 1;
        var result = new double[batch.Length * shells];
        for (int b = 0; b < batch.Length; b++)
        {
            double[] ctf = Ctf(particles, batch[b], applyCtf);
            ReadOnlySpan<float> x = particles.Coefficients(batch[b]);
            for (int j = 0; j < volumeIndices.Length; j++)
            {
                double w = weights[b * volumeIndices.Length + j];
                if (w == 0) continue;
                var slice = Slice(particles, batch[b], volumes, volumeIndices[j], box);
                for (int p = 0; p < grid.PixelCount; p++)
                {
                    double dr = x[2 * p] - ctf[p] * slice[p].Re, di = x[2 * p + 1] - ctf[p] * slice[p].Im;
                    result[b * shells + grid.ShellValues[p]] += w * (dr * dr + di * di);
                }
            }
        }
        return result;
    }

    /// <summary>
    /// Reference of <see cref="ClassificationKernels.Backproject"/>: numerator [v][voxel][re, im] and denominator
    /// [v][voxel], splatting each sample at A^T k and its conjugate at -A^T k.
    /// </summary>
    public static (double[] Numerator, double[] Denominator) Backproject(ParticleSet particles, ReadOnlySpan<int> batch,
        ReadOnlySpan<float> weights, int volumeCount, int box, bool applyCtf = true)
    {
        var grid = particles.Grid;
        int voxels = box * box * box;
        var numerator = new double[volumeCount * voxels * 2];
        var denominator = new double[volumeCount * voxels];
        for (int b = 0; b < batch.Length; b++)
        {
            double[] ctf = Ctf(particles, batch[b], applyCtf);
            ReadOnlySpan<float> x = particles.Coefficients(batch[b]);
            var rotation = particles.Particles[batch[b]].Rotation;
            for (int v = 0; v < volumeCount; v++)
            {
                double w = weights[b * volumeCount + v];
                if (w == 0) continue;
                for (int p = 0; p < grid.PixelCount; p++)
                {
                    int kx = grid.KxValues[p], ky = grid.KyValues[p];
                    if (!Sampled(kx, ky, box)) continue;
                    var (qx, qy, qz) = rotation.ApplyTranspose(kx, ky, 0);
                    double re = w * ctf[p] * x[2 * p], im = w * ctf[p] * x[2 * p + 1], den = w * ctf[p] * ctf[p];
                    Splat(numerator, denominator, v, box, qx, qy, qz, re, im, den);
                    Splat(numerator, denominator, v, box, -qx, -qy, -qz, re, -im, den);
                }
            }
        }
        return (numerator, denominator);
    }

    private static void Splat(double[] numerator, double[] denominator, int volume, int box,
        double qx, double qy, double qz, double re, double im, double den)
    {
        double gx = qx + box / 2, gy = qy + box / 2, gz = qz + box / 2;
        int x0 = (int)Math.Floor(gx), y0 = (int)Math.Floor(gy), z0 = (int)Math.Floor(gz);
        for (int corner = 0; corner < 8; corner++)
        {
            int x = x0 + (corner & 1), y = y0 + ((corner >> 1) & 1), z = z0 + ((corner >> 2) & 1);
            if (x < 0 || y < 0 || z < 0 || x >= box || y >= box || z >= box) continue;
            double w = (1 - Math.Abs(gx - x)) * (1 - Math.Abs(gy - y)) * (1 - Math.Abs(gz - z));
            int voxel = ((volume * box + z) * box + y) * box + x;
            numerator[2 * voxel] += w * re;
            numerator[2 * voxel + 1] += w * im;
            denominator[voxel] += w * den;
        }
    }

    /// <summary>Reference of <see cref="ClassificationKernels.Reconstruct"/> with one regulariser spectrum per volume.</summary>
    public static double[] Reconstruct(ReadOnlySpan<double> numerator, ReadOnlySpan<double> denominator,
        ReadOnlySpan<float> regulariserPerVolume, int volumeCount, int box)
    {
        int voxels = box * box * box;
        int shells = regulariserPerVolume.Length / volumeCount;
        int r = box / 2 - 1;
        var result = new double[volumeCount * voxels * 2];
        for (int v = 0; v < volumeCount; v++)
        for (int z = 0; z < box; z++)
        for (int y = 0; y < box; y++)
        for (int x = 0; x < box; x++)
        {
            int fx = x - box / 2, fy = y - box / 2, fz = z - box / 2;
            int r2 = fx * fx + fy * fy + fz * fz;
            if (r2 > r * r) continue;
            int shell = Math.Min((int)Math.Round(Math.Sqrt(r2)), shells - 1);
            int voxel = ((v * box + z) * box + y) * box + x;
            double d = denominator[voxel] + regulariserPerVolume[v * shells + shell];
            if (!(d >= KernelMath.SmallestDenominator)) continue;
            result[2 * voxel] = numerator[2 * voxel] / d;
            result[2 * voxel + 1] = numerator[2 * voxel + 1] / d;
        }
        return result;
    }
}
