using System.Numerics;
using SweepLab.Core.Ctf;
using SweepLab.Core.Fourier;
using SweepLab.Core.Geometry;
using SweepLab.Core.Particles;

namespace SweepLab.Simulation;

/// <summary>A simulated dataset in memory: images, their metadata and the truth that generated them.</summary>
public sealed record SimulatedDataset(
    SimulationSettings Settings,
    IReadOnlyList<Phantom> Phantoms,
    IReadOnlyList<ParticleInfo> Particles,
    int[] TrueClass,
    double[] AmplitudeScale,
    float[] Images,
    double SignalVariance,
    double NoiseSigma)
{
    public int Box => Settings.BoxPixels;
    public ReadOnlySpan<float> Image(int particle) => Images.AsSpan(particle * Box * Box, Box * Box);
}

/// <summary>
/// Forms particle images: the exact projection of each Gaussian blob (a 2D Gaussian of amplitude a sqrt(2 pi) sigma)
/// at the particle's pose, shifted so the particle centre sits at minus the origin (RELION 3.1's sign, as
/// relion_project does), multiplied by RELION's CTF in Fourier space, then noise at the stated SNR.
/// </summary>
public static class ParticleSimulator
{
    public static SimulatedDataset Simulate(SimulationSettings settings, IReadOnlyList<Rotation>? poses = null)
    {
        var (phantoms, labels, infos, scales) = Prepare(settings, poses);
        int n = settings.Particles, box = settings.BoxPixels, pixels = box * box;
        var images = new float[(long)n * pixels];
        Parallel.For(0, n, () => new Scratch(box), (i, _, scratch) =>
        {
            RenderClean(settings, phantoms[labels[i]], infos[i], scales[i], images.AsSpan(i * pixels, pixels), scratch);
            return scratch;
        }, _ => { });

        double signalVariance = 0;
        for (int i = 0; i < n; i++) signalVariance += Variance(images.AsSpan(i * pixels, pixels));
        signalVariance /= n;
        double noiseSigma = Math.Sqrt(signalVariance / settings.Snr);
        Parallel.For(0, n, () => new Complex[pixels], (i, _, transform) =>
        {
            AddNoise(images.AsSpan(i * pixels, pixels), settings, i, noiseSigma, transform);
            return transform;
        }, _ => { });
        return new SimulatedDataset(settings, phantoms, infos, labels, scales, images, signalVariance, noiseSigma);
    }

    /// <summary>
    /// The same dataset as <see cref="Simulate"/>, bit for bit, without holding the images: they are formed in chunks and
    /// handed to <paramref name="append"/> in particle order (100,000 particles of 256 px would be 26 GB in memory). The
    /// SNR needs the mean signal variance over every particle before any noise is added, so each chunk is formed twice
    /// (once for the variance, once to add noise and hand over): twice the projection work, memory of one chunk. The
    /// returned dataset's Images is empty.
    /// </summary>
    public static SimulatedDataset SimulateStreamed(SimulationSettings settings, Action<ReadOnlySpan<float>> append,
        IReadOnlyList<Rotation>? poses = null, int chunkParticles = 0)
    {
        ArgumentNullException.ThrowIfNull(append);
        var (phantoms, labels, infos, scales) = Prepare(settings, poses);
        int n = settings.Particles, box = settings.BoxPixels, pixels = box * box;
        int chunk = chunkParticles > 0 ? chunkParticles : Math.Max(1, (1 << 26) / pixels); // 256 MB of float32 images
        var buffer = new float[(long)Math.Min(chunk, n) * pixels];
        var variances = new double[n];
        void Form(int start, int count, bool noisy, double sigma) =>
            Parallel.For(0, count, () => new Scratch(box), (j, _, scratch) =>
            {
                int i = start + j;
                var image = buffer.AsSpan(j * pixels, pixels);
                RenderClean(settings, phantoms[labels[i]], infos[i], scales[i], image, scratch);
                if (noisy) AddNoise(image, settings, i, sigma, scratch.Transform);
                else variances[i] = Variance(image);
                return scratch;
            }, _ => { });
        for (int start = 0; start < n; start += chunk) Form(start, Math.Min(chunk, n - start), noisy: false, 0);
        double signalVariance = 0;
        for (int i = 0; i < n; i++) signalVariance += variances[i]; // in particle order, as Simulate sums
        signalVariance /= n;
        double noiseSigma = Math.Sqrt(signalVariance / settings.Snr);
        for (int start = 0; start < n; start += chunk)
        {
            int count = Math.Min(chunk, n - start);
            Form(start, count, noisy: true, noiseSigma);
            append(buffer.AsSpan(0, count * pixels));
        }
        return new SimulatedDataset(settings, phantoms, infos, labels, scales, [], signalVariance, noiseSigma);
    }

    /// <summary>Everything but the images: maps, labels, and each particle's pose, CTF, origin and amplitude scale.</summary>
    private static (IReadOnlyList<Phantom> Phantoms, int[] Labels, ParticleInfo[] Infos, double[] Scales) Prepare(
        SimulationSettings settings, IReadOnlyList<Rotation>? poses)
    {
        settings.EnsureValid();
        if (poses is not null && poses.Count != settings.Particles)
            throw new ArgumentException($"{poses.Count} poses given for {settings.Particles} particles", nameof(poses));
        var phantoms = PhantomFactory.Create(settings);
        int n = settings.Particles;
        var labels = DrawLabels(settings);
        var infos = new ParticleInfo[n];
        var scales = new double[n];
        string stackName = SimulatedDatasetWriter.StackFileName;
        for (int i = 0; i < n; i++)
        {
            var pose = poses?[i] ?? SimulationRandom.UniformRotation(
                Uniform(settings, SimulationRandom.StreamPose, i, 0), Uniform(settings, SimulationRandom.StreamPose, i, 1), Uniform(settings, SimulationRandom.StreamPose, i, 2));
            var ctf = DrawCtf(settings, i);
            double originX = settings.ShiftSigmaAngstrom * Normal(settings, SimulationRandom.StreamShift, i, 0);
            double originY = settings.ShiftSigmaAngstrom * Normal(settings, SimulationRandom.StreamShift, i, 1);
            scales[i] = settings.AmplitudeScaleSpread > 0
                ? Math.Exp(settings.AmplitudeScaleSpread * Normal(settings, SimulationRandom.StreamScale, i, 0) - 0.5 * settings.AmplitudeScaleSpread * settings.AmplitudeScaleSpread)
                : 1.0;
            infos[i] = new ParticleInfo($"{i + 1:D6}@{stackName}", pose, originX, originY, ctf);
        }
        return (phantoms, labels, infos, scales);
    }

    /// <summary>One particle's noise-free image: its class's exact projection at its pose and origin, times its CTF.</summary>
    private static void RenderClean(SimulationSettings settings, Phantom phantom, ParticleInfo info, double scale, Span<float> image, Scratch scratch)
    {
        Project(phantom, info.Rotation, info.OriginXAngstrom, info.OriginYAngstrom, scale, settings.PixelSizeAngstrom, settings.BoxPixels, image, scratch);
        ApplyCtf(image, settings.BoxPixels, settings.PixelSizeAngstrom, info.Ctf, scratch.Transform);
    }

    /// <summary>
    /// One noise-free particle image: the blobs' exact projection at the pose, centred at minus the origin,
    /// optionally multiplied by the CTF. The same image formation as <see cref="Simulate"/>, for checks against
    /// other programs (relion_project) and for users who want clean references.
    /// </summary>
    public static float[] RenderProjection(Phantom phantom, Rotation pose, double originXAngstrom, double originYAngstrom,
        double pixelSizeAngstrom, int box, CtfParameters? ctf)
    {
        var scratch = new Scratch(box);
        var image = new float[box * box];
        Project(phantom, pose, originXAngstrom, originYAngstrom, 1.0, pixelSizeAngstrom, box, image, scratch);
        if (ctf is not null) ApplyCtf(image, box, pixelSizeAngstrom, ctf, scratch.Transform);
        return image;
    }

    /// <summary>Exact class counts (largest remainders), then a seeded shuffle: fractions are met to one particle.</summary>
    internal static int[] DrawLabels(SimulationSettings settings)
    {
        var fractions = settings.EffectiveFractions;
        int n = settings.Particles;
        var counts = fractions.Select(f => (int)Math.Floor(f * n)).ToArray();
        var byRemainder = Enumerable.Range(0, fractions.Count).OrderByDescending(k => fractions[k] * n - counts[k]).ThenBy(k => k).ToArray();
        for (int r = 0, missing = n - counts.Sum(); r < missing; r++) counts[byRemainder[r % byRemainder.Length]]++;
        var labels = new int[n];
        for (int k = 0, at = 0; k < counts.Length; k++) for (int c = 0; c < counts[k]; c++) labels[at++] = k;
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)(Uniform(settings, SimulationRandom.StreamLabels, i, 0) * (i + 1));
            (labels[i], labels[j]) = (labels[j], labels[i]);
        }
        return labels;
    }

    private static CtfParameters DrawCtf(SimulationSettings s, int i)
    {
        double defocus = s.DefocusMinAngstrom + (s.DefocusMaxAngstrom - s.DefocusMinAngstrom) * Uniform(s, SimulationRandom.StreamCtf, i, 0);
        double astig = s.AstigmatismAngstrom * Uniform(s, SimulationRandom.StreamCtf, i, 1);
        double angle = 180 * Uniform(s, SimulationRandom.StreamCtf, i, 2);
        // Rounded as a STAR file stores them, so the in-memory truth equals what RELION reads back.
        return new CtfParameters(Math.Round(defocus + astig / 2, 2), Math.Round(defocus - astig / 2, 2), Math.Round(angle, 3),
            s.VoltageKilovolt, s.SphericalAberrationMillimetre, s.AmplitudeContrast);
    }

    private sealed class Scratch(int box)
    {
        public readonly double[] Gx = new double[box];
        public readonly double[] Gy = new double[box];
        public readonly Complex[] Transform = new Complex[box * box];
    }

    /// <summary>Sum of the blobs' 2D Gaussians, each evaluated only within 5 sigma of its centre.</summary>
    private static void Project(Phantom phantom, Rotation pose, double originXAngstrom, double originYAngstrom, double scale,
        double pixelSizeAngstrom, int box, Span<float> image, Scratch scratch)
    {
        image.Clear();
        int c = box / 2;
        foreach (var b in phantom.Blobs)
        {
            var p = pose.Apply(b.XAngstrom, b.YAngstrom, b.ZAngstrom);
            double s = b.SigmaAngstrom / pixelSizeAngstrom;
            double cx = c + (p.X - originXAngstrom) / pixelSizeAngstrom;
            double cy = c + (p.Y - originYAngstrom) / pixelSizeAngstrom;
            double amplitude = scale * b.Amplitude * Math.Sqrt(2 * Math.PI) * s;
            int reach = (int)Math.Ceiling(5 * s);
            int x0 = Math.Max(0, (int)Math.Floor(cx) - reach), x1 = Math.Min(box - 1, (int)Math.Ceiling(cx) + reach);
            int y0 = Math.Max(0, (int)Math.Floor(cy) - reach), y1 = Math.Min(box - 1, (int)Math.Ceiling(cy) + reach);
            if (x0 > x1 || y0 > y1) continue;
            Phantom.Gaussian1D(scratch.Gx.AsSpan(0, x1 - x0 + 1), cx - x0, s);
            Phantom.Gaussian1D(scratch.Gy.AsSpan(0, y1 - y0 + 1), cy - y0, s);
            for (int y = y0; y <= y1; y++)
            {
                double ay = amplitude * scratch.Gy[y - y0];
                var row = image.Slice(y * box, box);
                for (int x = x0; x <= x1; x++) row[x] += (float)(ay * scratch.Gx[x - x0]);
            }
        }
    }

    private static void ApplyCtf(Span<float> image, int box, double pixelSizeAngstrom, CtfParameters ctf, Complex[] transform)
    {
        CenteredFourier.FromImage(image, box, transform);
        double unit = 1.0 / (box * pixelSizeAngstrom);
        for (int ky = 0; ky < box; ky++)
        {
            double fy = (ky <= box / 2 ? ky : ky - box) * unit;
            for (int kx = 0; kx < box; kx++)
            {
                double fx = (kx <= box / 2 ? kx : kx - box) * unit;
                transform[ky * box + kx] *= CtfMath.Value(ctf, fx, fy);
            }
        }
        CenteredFourier.ToImage(transform, box, image);
    }

    private static void AddNoise(Span<float> image, SimulationSettings s, int particle, double sigma, Complex[] transform)
    {
        int box = s.BoxPixels;
        if (s.Noise == NoiseColour.White)
        {
            for (int p = 0; p < image.Length; p++) image[p] += (float)(sigma * Normal(s, SimulationRandom.StreamNoise, particle, p));
            return;
        }
        var noise = new float[image.Length];
        for (int p = 0; p < noise.Length; p++) noise[p] = (float)Normal(s, SimulationRandom.StreamNoise, particle, p);
        CenteredFourier.FromImage(noise, box, transform);
        double unit = 1.0 / (box * s.PixelSizeAngstrom);
        double meanPower = 0;
        for (int ky = 0; ky < box; ky++)
        for (int kx = 0; kx < box; kx++) meanPower += NoisePower(s, kx, ky, box, unit);
        meanPower /= box * box;
        for (int ky = 0; ky < box; ky++)
        for (int kx = 0; kx < box; kx++) transform[ky * box + kx] *= Math.Sqrt(NoisePower(s, kx, ky, box, unit) / meanPower);
        CenteredFourier.ToImage(transform, box, noise);
        for (int p = 0; p < image.Length; p++) image[p] += (float)(sigma * noise[p]);
    }

    private static double NoisePower(SimulationSettings s, int kx, int ky, int box, double unit)
    {
        double fx = (kx <= box / 2 ? kx : kx - box) * unit, fy = (ky <= box / 2 ? ky : ky - box) * unit;
        return 0.2 + Math.Exp(-s.NoiseBFactorAngstrom2 * (fx * fx + fy * fy) / 2);
    }

    private static double Variance(ReadOnlySpan<float> values)
    {
        double sum = 0, sum2 = 0;
        foreach (float v in values) { sum += v; sum2 += (double)v * v; }
        double mean = sum / values.Length;
        return sum2 / values.Length - mean * mean;
    }

    private static double Uniform(SimulationSettings s, uint stream, long index, long draw) => new SimulationRandom(s.Seed, stream).Uniform(index, draw);

    private static double Normal(SimulationSettings s, uint stream, long index, long draw) => new SimulationRandom(s.Seed, stream).Normal(index, draw);
}
