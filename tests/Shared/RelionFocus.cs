using SweepLab.Core.Fourier;
using SweepLab.Engine;
using SweepLab.Formats.Mrc;

namespace SweepLab.TestSupport.Relion;

/// <summary>
/// A focus mask for a corpus level, drawn as a user draws one around the region they suspect varies: where the true
/// maps differ. Written once beside the level (focus_mask.mrc on the level's box) so SweepLab (classify --focus-mask
/// reads the same file) and RELION's focused classification get the same mask.
/// </summary>
public static class RelionFocus
{
    public const string FocusMaskFileName = "focus_mask.mrc";

    /// <summary>Resolution the true difference is low-passed to before the mask is thresholded from it.</summary>
    public const double LowpassAngstrom = 15;

    /// <summary>Fraction of the largest difference that the mask keeps, before its 2-pixel dilation and 3-pixel soft edge.</summary>
    public const double ThresholdFraction = 0.2;

    /// <summary>
    /// The largest difference of any true map from the first, low-passed to 15 A, thresholded at 20% of its maximum,
    /// dilated 2 px, 3 px soft edge; written to the level's folder. Returns its path.
    /// </summary>
    public static string WriteFocusMask(RelionCorpusDataset dataset)
    {
        int n = dataset.Level.BoxPixels;
        var maps = dataset.TruthMapPaths.Select(path => MrcFile.ReadVolume(path).Data).ToList();
        var largest = new float[n * n * n];
        for (int k = 1; k < maps.Count; k++)
        {
            var difference = FourierVolume.FromRealSpace(maps[k].Zip(maps[0], (a, b) => a - b).ToArray(), n, n);
            VolumeOperations.LowPass(difference, n, n * dataset.Level.PixelSizeAngstrom / LowpassAngstrom);
            var real = FourierVolume.ToRealSpace(difference, n, n);
            for (int i = 0; i < real.Length; i++) largest[i] = Math.Max(largest[i], Math.Abs(real[i]));
        }
        var mask = VolumeOperations.MaskFromMap(largest, n, ThresholdFraction);
        string path = Path.Combine(dataset.Folder, FocusMaskFileName);
        MrcFile.Write(path, mask, n, n, n, dataset.Level.PixelSizeAngstrom, isStack: false);
        return path;
    }

    /// <summary>The mask file on the engine's cropped box, as classify --focus-mask reads it.</summary>
    public static float[] ReadForEngine(string path, int m)
    {
        var (header, data) = MrcFile.ReadVolume(path);
        return VolumeOperations.ResampleMask(data, header.Nx, m);
    }
}
