using System.Globalization;
using Cocona;
using SweepLab.Simulation;
using SweepLab.Sweeps;

namespace SweepLab.Cli.Commands;

internal sealed class SimulateCommand
{
    [Command("simulate", Description = "Simulate particles with ground truth: RELION STAR + MRCS, cryoSPARC .cs, true maps, truth.csv.")]
    public int Simulate(
        [Option(Description = "Output folder")] string @out,
        [Option(Description = "compositional | conformational | multiclass")] string preset = "compositional",
        [Option(Description = "Number of particles")] int particles = 2000,
        [Option(Description = "Box size (pixels)")] int box = 64,
        [Option("pixel-size", Description = "Pixel size (Angstrom)")] double pixelSize = 3.5,
        [Option(Description = "Signal variance / noise variance per pixel, over the box")] double snr = 0.1,
        [Option(Description = "Class fractions, comma-separated (default 0.5,0.5; multiclass 0.5,0.4,0.1)")] string? fractions = null,
        [Option(Description = "Random seed")] ulong seed = 1,
        [Option("subunit-mass", Description = "Subunit mass as a fraction of the complex")] double subunitMass = 0.2,
        [Option("domain-rotation", Description = "Conformational preset: domain rotation (degrees)")] double domainRotation = 30,
        [Option("core-blobs", Description = "Gaussian blobs in the core")] int coreBlobs = 40,
        [Option("defocus-min", Description = "Minimum defocus (Angstrom)")] double defocusMin = 10000,
        [Option("defocus-max", Description = "Maximum defocus (Angstrom)")] double defocusMax = 25000,
        [Option(Description = "Astigmatism: max |defocus U - V| (Angstrom)")] double astigmatism = 300,
        [Option(Description = "Acceleration voltage (kV)")] double voltage = 300,
        [Option(Description = "Spherical aberration (mm)")] double cs = 2.7,
        [Option("amplitude-contrast", Description = "Amplitude contrast fraction")] double amplitudeContrast = 0.1,
        [Option("shift-sigma", Description = "Standard deviation of in-plane origins (Angstrom)")] double shiftSigma = 0,
        [Option(Description = "white | coloured")] string noise = "white",
        [Option("noise-bfactor", Description = "Coloured noise envelope B (Angstrom^2)")] double noiseBfactor = 400,
        [Option("scale-spread", Description = "Log-normal spread of per-particle amplitude scale")] double scaleSpread = 0,
        [Option("poses-from", Description = "Take the poses (in order) from this RELION STAR or cryoSPARC .cs instead of uniform random ones")] string? posesFrom = null) =>
        CommandGuard.Run(() =>
        {
            var request = Request(preset, particles, box, pixelSize, snr, fractions, seed, subunitMass, domainRotation, coreBlobs, defocusMin,
                defocusMax, astigmatism, voltage, cs, amplitudeContrast, shiftSigma, noise, noiseBfactor, scaleSpread, posesFrom);
            var settings = request.Settings;
            var errors = settings.Validate();
            if (errors.Count > 0) throw new UserInputException(string.Join("\n", errors));
            OutputCheck.EnsureWritable(@out, "--out");
            Interruption.Kept = () => $"nothing was written to {Path.GetFullPath(@out)}";
            var poses = request.PosesFrom is null ? null : SimulatorOptions.ReadPoses(request.PosesFrom, settings.Particles, "--poses-from", "--particles");
            // streamed: the images are formed and written in chunks, so any particle count fits in memory
            using var staging = Interruption.OnStop(() => SimulatedDatasetWriter.RemoveStaging(@out));
            var (files, dataset) = SimulatedDatasetWriter.Simulate(@out, settings, poses,
                started: () => Console.Error.WriteLine($"simulating {settings.Particles} particles into {Path.GetFullPath(@out)}"));
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(c, $"simulated {settings.Particles} particles ({settings.Preset}, {settings.Classes} classes: {string.Join('/', settings.EffectiveFractions)}), box {settings.BoxPixels} at {settings.PixelSizeAngstrom} A/px, SNR {settings.Snr} (noise sigma {dataset.NoiseSigma:G4})"));
            foreach (string file in files) Console.WriteLine($"  {file}");
            return CommandGuard.ExitOk;
        });

    /// <summary>
    /// The options through the binder a sweep file's dataset.simulate block also uses (<see cref="SimulatorOptions"/>);
    /// the parameters are <see cref="Simulate"/>'s after --out, in order, and a test holds the two lists together.
    /// </summary>
    internal static SimulationRequest Request(string preset, int particles, int box, double pixelSize, double snr, string? fractions, ulong seed,
        double subunitMass, double domainRotation, int coreBlobs, double defocusMin, double defocusMax, double astigmatism, double voltage,
        double cs, double amplitudeContrast, double shiftSigma, string noise, double noiseBfactor, double scaleSpread, string? posesFrom)
    {
        var given = new List<(string, SpecNode)>
        {
            ("preset", SimulatorOptions.Cli(preset)), ("particles", SimulatorOptions.Cli(particles)), ("box", SimulatorOptions.Cli(box)),
            ("pixel_size", SimulatorOptions.Cli(pixelSize)), ("snr", SimulatorOptions.Cli(snr)), ("seed", SimulatorOptions.Cli(seed)),
            ("subunit_mass", SimulatorOptions.Cli(subunitMass)), ("domain_rotation", SimulatorOptions.Cli(domainRotation)),
            ("core_blobs", SimulatorOptions.Cli(coreBlobs)), ("defocus_min", SimulatorOptions.Cli(defocusMin)),
            ("defocus_max", SimulatorOptions.Cli(defocusMax)), ("astigmatism", SimulatorOptions.Cli(astigmatism)),
            ("voltage", SimulatorOptions.Cli(voltage)), ("cs", SimulatorOptions.Cli(cs)), ("amplitude_contrast", SimulatorOptions.Cli(amplitudeContrast)),
            ("shift_sigma", SimulatorOptions.Cli(shiftSigma)), ("noise", SimulatorOptions.Cli(noise)),
            ("noise_bfactor", SimulatorOptions.Cli(noiseBfactor)), ("scale_spread", SimulatorOptions.Cli(scaleSpread)),
        };
        if (fractions is not null) given.Add(("fractions", SimulatorOptions.Cli(fractions)));
        if (posesFrom is not null) given.Add(("poses_from", SimulatorOptions.Cli(posesFrom)));
        var (request, errors) = SimulatorOptions.Bind(given);
        if (errors.Count > 0) throw new UserInputException(string.Join("\n", errors.Select(e => $"--{e.Key.Replace('_', '-')}: {e.Message}")));
        return request;
    }
}
