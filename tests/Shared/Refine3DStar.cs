using System.Globalization;
using System.Text;

namespace SweepLab.TestSupport.Star;

/// <summary>
/// A RELION 3.1 particle STAR file as Refine3D writes it (one optics group, 30 particle columns), with seeded values.
/// Shared by the Formats tests (what the readers return) and the bench (how fast they return it), so both read the
/// same bytes.
/// </summary>
public static class Refine3DStar
{
    public const int ParticleColumns = 30;
    public const double ImagePixelSizeAngstrom = 1.77;
    public const int ImageSize = 128;

    /// <summary>0-based class of particle <paramref name="row"/> (the file's rlnClassNumber is this plus one).</summary>
    public static int ClassIndex(int row) => row % 3;

    /// <summary>rlnImageName of particle <paramref name="row"/>: 300 particles per micrograph stack.</summary>
    public static string ImageName(int row) =>
        string.Create(CultureInfo.InvariantCulture, $"{row % 300 + 1:D6}@Extract/job012/Movies/mic{row / 300:D4}.mrcs");

    public static string Text(int rows)
    {
        var sb = new StringBuilder();
        sb.Append("# version 30001\n\ndata_optics\n\nloop_\n_rlnOpticsGroupName #1\n_rlnOpticsGroup #2\n_rlnMicrographOriginalPixelSize #3\n")
          .Append("_rlnVoltage #4\n_rlnSphericalAberration #5\n_rlnAmplitudeContrast #6\n_rlnImagePixelSize #7\n_rlnImageSize #8\n_rlnImageDimensionality #9\n")
          .Append("opticsGroup1 1 0.885000 300.000000 2.700000 0.100000 1.770000 128 2\n\n\ndata_particles\n\nloop_\n");
        string[] cols = ["rlnCoordinateX", "rlnCoordinateY", "rlnAutopickFigureOfMerit", "rlnClassNumber", "rlnAnglePsi", "rlnImageName",
            "rlnMicrographName", "rlnOpticsGroup", "rlnCtfMaxResolution", "rlnCtfFigureOfMerit", "rlnDefocusU", "rlnDefocusV",
            "rlnDefocusAngle", "rlnCtfBfactor", "rlnCtfScalefactor", "rlnPhaseShift", "rlnGroupNumber", "rlnAngleRot", "rlnAngleTilt",
            "rlnOriginXAngst", "rlnOriginYAngst", "rlnNormCorrection", "rlnLogLikeliContribution", "rlnMaxValueProbDistribution",
            "rlnNrOfSignificantSamples", "rlnRandomSubset", "rlnHelicalTubeID", "rlnAngleRotPrior", "rlnAngleTiltPrior", "rlnAnglePsiPrior"];
        for (int c = 0; c < cols.Length; c++) sb.Append('_').Append(cols[c]).Append(" #").Append(c + 1).Append('\n');
        ulong state = 99;
        double F(double lo, double hi)
        {
            // SplitMix64, uniform in [lo, hi).
            ulong z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return lo + (hi - lo) * ((z >> 11) * (1.0 / (1UL << 53)));
        }
        for (int i = 0; i < rows; i++)
        {
            sb.Append(string.Format(CultureInfo.InvariantCulture,
                "{0,12:F6} {1,12:F6} {2,12:F6} {3,4} {4,12:F6} {5:D6}@Extract/job012/Movies/mic{6:D4}.mrcs MotionCorr/job002/Movies/mic{6:D4}.mrc 1 {7,12:F6} {8,12:F6} " +
                "{9,12:F6} {10,12:F6} {11,12:F6} 0.000000 1.000000 0.000000 {6} {12,12:F6} {13,12:F6} {14,12:F6} {15,12:F6} 0.998000 12345.678900 0.256000 14 {16} 1 0.000000 90.000000 0.000000\n",
                F(0, 4000), F(0, 4000), F(0, 5), 1 + ClassIndex(i), F(-180, 180), i % 300 + 1, i / 300, F(3, 8), F(0, 1),
                F(8000, 25000), F(8000, 25000), F(-180, 180), F(-180, 180), F(0, 180), F(-8, 8), F(-8, 8), 1 + i % 2));
        }
        return sb.ToString();
    }
}
