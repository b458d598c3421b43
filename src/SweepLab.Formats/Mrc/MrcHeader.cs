namespace SweepLab.Formats.Mrc;

/// <summary>MRC2014 data modes SweepLab reads (all as float) and writes (<see cref="Float32"/>, <see cref="Float16"/>).</summary>
public enum MrcMode
{
    Int8 = 0,
    Int16 = 1,
    Float32 = 2,
    UInt16 = 6,
    Float16 = 12,
}

/// <summary>
/// The fields of a 1024-byte MRC2014 header that matter to SweepLab, read little-endian. The data start at
/// <see cref="DataOffset"/>: the extended header (NSYMBT bytes) is skipped, never interpreted.
/// </summary>
public sealed record MrcHeader(
    int Nx, int Ny, int Nz,
    MrcMode Mode,
    int NxStart, int NyStart, int NzStart,
    int Mx, int My, int Mz,
    float CellXAngstrom, float CellYAngstrom, float CellZAngstrom,
    int MapC, int MapR, int MapS,
    float Minimum, float Maximum, float Mean, float Rms,
    int SpaceGroup,
    int ExtendedHeaderBytes,
    string ExtendedHeaderType,
    int Version,
    float OriginXAngstrom, float OriginYAngstrom, float OriginZAngstrom,
    IReadOnlyList<string> Labels)
{
    public const int HeaderBytes = 1024;

    /// <summary>CELLA.x / MX, the MRC2014 way; null when the header leaves it unset (MX or CELLA zero).</summary>
    public double? PixelSizeAngstrom => Mx > 0 && CellXAngstrom > 0 ? (double)CellXAngstrom / Mx : null;

    /// <summary>Byte offset of the first voxel: the main header plus the extended header.</summary>
    public long DataOffset => HeaderBytes + (long)ExtendedHeaderBytes;

    public int BytesPerVoxel => BytesPerVoxelOf(Mode);

    /// <summary>Voxels in one section (one image of a stack).</summary>
    public long SectionLength => (long)Nx * Ny;

    public long SectionBytes => SectionLength * BytesPerVoxel;

    /// <summary>Bytes the header says the file should have.</summary>
    public long ExpectedFileLength => DataOffset + SectionBytes * Nz;

    /// <summary>MRC2014 marks image stacks with space group 0 (volumes use 1 and above).</summary>
    public bool IsImageStack => SpaceGroup == 0;

    public static int BytesPerVoxelOf(MrcMode mode) => mode switch
    {
        MrcMode.Int8 => 1,
        MrcMode.Int16 => 2,
        MrcMode.Float32 => 4,
        MrcMode.UInt16 => 2,
        MrcMode.Float16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "not an MRC mode SweepLab knows"),
    };
}
