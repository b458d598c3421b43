using System.Globalization;
using Cocona;
using SweepLab.Core.Fourier;
using SweepLab.Formats.Particles;

namespace SweepLab.Cli.Commands;

internal sealed class InspectCommand
{
    [Command("inspect", Description = "Summarise a particle file (RELION .star or cryoSPARC .cs): count, box, pixel size, optics, defocus, poses, columns.")]
    public int Inspect(
        [Argument(Description = "particles.star or particles.cs")] string particles,
        [Option("target-resolution", Description = "Also report the Fourier crop at this resolution (Angstrom)")] double? targetResolution = null) =>
        CommandGuard.Run(() =>
        {
            var table = ParticleFiles.Read(particles);
            var c = CultureInfo.InvariantCulture;
            var defocus = table.Particles.Select(p => (p.Ctf.DefocusUAngstrom + p.Ctf.DefocusVAngstrom) / 2).ToArray();
            Console.WriteLine($"file              {table.SourcePath}");
            Console.WriteLine($"format            {table.Format}");
            Console.WriteLine($"particles         {table.Count}");
            Console.WriteLine($"box               {table.BoxSize} px");
            Console.WriteLine(string.Create(c, $"pixel size        {table.PixelSizeAngstrom:0.####} A (Nyquist {2 * table.PixelSizeAngstrom:0.###} A)"));
            Console.WriteLine($"optics groups     {table.OpticsGroups.Count}");
            foreach (var g in table.OpticsGroups)
                Console.WriteLine(string.Create(c, $"  {g.Number} {g.Name}: {g.VoltageKilovolt:0.#} kV, Cs {g.SphericalAberrationMillimetre:0.##} mm, Q0 {g.AmplitudeContrast:0.###}, {g.PixelSizeAngstrom:0.####} A/px, box {g.BoxSize}"));
            Console.WriteLine(table.CtfAbsent ? "defocus           (no CTF)" :
                string.Create(c, $"defocus           {defocus.Min():0} .. {defocus.Max():0} A (mean {defocus.Average():0})"));
            Console.WriteLine($"pose coverage     {PoseCoverage(table)}");
            Console.WriteLine($"classes in file   {(table.ClassIndices is null ? "none" : string.Join(", ", table.ClassIndices.GroupBy(k => k).OrderBy(g => g.Key).Select(g => $"{g.Key + 1}: {g.Count()}")))}");
            Console.WriteLine($"columns           {string.Join(' ', ParticleFiles.Columns(table))}");
            if (targetResolution is double resolution)
            {
                var crop = new FourierCrop(table.BoxSize, table.PixelSizeAngstrom, resolution);
                Console.WriteLine(string.Create(c, $"crop at {resolution:0.##} A     box {crop.CroppedBox} px ({crop.CroppedPixelSizeAngstrom:0.###} A/px), radius {crop.MaxRadius}, {crop.PixelCount} Fourier pixels kept per particle"));
                Console.WriteLine(string.Create(c, $"memory            {(double)crop.PixelCount * 8 * table.Count / (1 << 20):0.#} MiB of particle data"));
            }
            return CommandGuard.ExitOk;
        });

    /// <summary>How much of the sphere of view directions the poses cover, in equal-area cells.</summary>
    private static string PoseCoverage(ParticleTable table)
    {
        const int bins = 24; // 24 azimuth x 12 cos(tilt) cells, equal area on the sphere
        var hit = new bool[bins, bins / 2];
        foreach (var p in table.Particles)
        {
            var d = p.Rotation.ApplyTranspose(0, 0, 1); // the projection direction in the volume's frame
            double azimuth = Math.Atan2(d.Y, d.X);
            int a = Math.Clamp((int)((azimuth + Math.PI) / (2 * Math.PI) * bins), 0, bins - 1);
            int z = Math.Clamp((int)((d.Z + 1) / 2 * (bins / 2)), 0, bins / 2 - 1);
            hit[a, z] = true;
        }
        int covered = 0;
        foreach (bool h in hit) if (h) covered++;
        return string.Create(CultureInfo.InvariantCulture, $"{covered} of {bins * bins / 2} equal-area view cells ({100.0 * covered / (bins * bins / 2):0}%)");
    }
}
