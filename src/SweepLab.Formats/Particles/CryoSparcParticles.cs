using SweepLab.Core.Ctf;
using SweepLab.Core.Geometry;
using SweepLab.Core.Particles;
using SweepLab.Formats.Mrc;
using SweepLab.Formats.Npy;

namespace SweepLab.Formats.Particles;

/// <summary>
/// cryoSPARC particle files (.cs, a NumPy structured array), converted to SweepLab's (RELION's) conventions exactly
/// as pyem's csparc2star.py does (asarnow/pyem: pyem/metadata/cryosparc2.py, pyem/geom/convert.py, pyem/star.py):
/// <list type="bullet">
/// <item>pose: alignments3D/pose is an axis-angle vector (radians); pyem's expmap returns the TRANSPOSE of the
///   Rodrigues matrix and rot2euler of that gives rlnAngleRot/Tilt/Psi, so the RELION matrix is
///   Rodrigues(pose)^T (<c>Rotation.FromAxisAngle(pose).Transpose()</c>).</item>
/// <item>shift: alignments3D/shift (pixels at alignments3D/psize_A) becomes rlnOriginX/Y with the same sign after
///   rescaling to blob/psize_A, then rlnOriginX/YAngst = rlnOriginX/Y * blob/psize_A; so the origin in Angstrom is
///   shift * alignments3D/psize_A (shift * blob/psize_A when the alignment pixel size is absent).</item>
/// <item>CTF: df1_A, df2_A to rlnDefocusU, V; df_angle_rad and phase_shift_rad to degrees; bfactor as is;
///   accel_kv, cs_mm, amp_contrast to voltage, Cs, Q0. ctf/scale is not mapped (pyem does not): scale 1.</item>
/// <item>paths: blob/path is relative to the cryoSPARC project directory; a leading '>' is dropped.</item>
/// <item>indices: blob/idx is 0-based (RELION's image number is idx + 1); alignments3D/class is 0-based;
///   ctf/exp_group_id is 0-based (rlnOpticsGroup = id + 1).</item>
/// </list>
/// </summary>
public static class CryoSparcParticles
{
    public static ParticleTable Read(string csPath, ParticleReadOptions? options = null)
    {
        options ??= new ParticleReadOptions();
        var a = NpyStructuredArray.Read(csPath);
        NpyField Require(string name, int elements, string why)
        {
            var f = a.FindField(name) ?? throw new DataFormatException(csPath, $"no field '{name}' ({why})");
            if (f.ElementCount != elements)
                throw new DataFormatException(csPath, $"field '{name}' has {f.ElementCount} elements per particle; {elements} expected");
            // Angles, shifts, sizes and CTF values read as integers would be silently truncated into garbage.
            bool real = name is "blob/psize_A" or "alignments3D/pose" or "alignments3D/shift" or "alignments3D/psize_A" || (name.StartsWith("ctf/", StringComparison.Ordinal) && name != "ctf/exp_group_id");
            if (real && f.Kind != 'f')
                throw new DataFormatException(csPath, $"field '{name}' is stored as {f.TypeString}; cryoSPARC stores it as floating point (<f4 or <f8)");
            return f;
        }
        NpyField? Optional(string name, int elements) => a.HasField(name) ? Require(name, elements, "") : null;

        var fPath = Require("blob/path", 1, "each particle's stack");
        var fIdx = Require("blob/idx", 1, "each particle's section in its stack");
        var fPsize = Require("blob/psize_A", 1, "the images' pixel size");
        var fShape = Optional("blob/shape", 2);
        if (!a.HasField("alignments3D/pose"))
            throw new DataFormatException(csPath,
                "no poses: the field 'alignments3D/pose' is missing; SweepLab classifies without alignment and needs the particles " +
                "of a refinement (e.g. Homogeneous Refinement's particles output)" +
                (a.Fields.Any(f => f.Name.StartsWith("alignments_class_", StringComparison.Ordinal)) ? "; per-class alignments are not supported" : ""));
        var fPose = Require("alignments3D/pose", 3, "poses");
        var fShift = Optional("alignments3D/shift", 2);
        var fAlignPsize = Optional("alignments3D/psize_A", 1);
        var fClass = Optional("alignments3D/class", 1);
        const string ctfWhy = "CTF parameters are required unless the data are declared CTF-free";
        bool ctf = !options.CtfAbsent;
        var fKv = ctf ? Require("ctf/accel_kv", 1, ctfWhy) : Optional("ctf/accel_kv", 1);
        var fCs = ctf ? Require("ctf/cs_mm", 1, ctfWhy) : null;
        var fQ0 = ctf ? Require("ctf/amp_contrast", 1, ctfWhy) : null;
        var fDf1 = ctf ? Require("ctf/df1_A", 1, ctfWhy) : null;
        var fDf2 = ctf ? Require("ctf/df2_A", 1, ctfWhy) : null;
        var fDfAngle = ctf ? Require("ctf/df_angle_rad", 1, ctfWhy) : null;
        var fPhase = ctf ? Optional("ctf/phase_shift_rad", 1) : null;
        var fB = ctf ? Optional("ctf/bfactor", 1) : null;
        var fGroup = Optional("ctf/exp_group_id", 1);

        int n = a.Count;
        if (n == 0) throw new DataFormatException(csPath, "no particles");
        double Value(NpyField f, int i, int element = 0)
        {
            double v = a.GetDouble(f, i, element);
            if (!double.IsFinite(v)) throw new DataFormatException(csPath, $"field '{f.Name}' is {v}", particleIndex: i);
            return v;
        }

        var infos = new ParticleInfo[n];
        var images = new ImageReference[n];
        var classes = fClass is null ? null : new int[n];
        var groups = new List<OpticsGroupInfo>();
        var byNumber = new Dictionary<int, OpticsGroupInfo>();
        MrcHeader? header = null;
        for (int i = 0; i < n; i++)
        {
            string stack = a.GetString(fPath, i);
            // cryoSPARC writes some project-relative paths with a leading '>' (">J12/extract/..."); the file is J12/...
            if (stack.StartsWith('>')) stack = stack[1..];
            if (stack.Length == 0) throw new DataFormatException(csPath, "empty blob/path", particleIndex: i);
            ulong idx = a.GetUInt64(fIdx, i);
            if (idx > int.MaxValue - 1) throw new DataFormatException(csPath, $"blob/idx {idx} is out of range", particleIndex: i);
            images[i] = new ImageReference((int)idx, stack);

            double psize = Value(fPsize, i);
            if (!(psize > 0)) throw new DataFormatException(csPath, $"blob/psize_A is {psize}; it must be positive", particleIndex: i);
            int box;
            if (fShape is not null)
            {
                ulong ny = a.GetUInt64(fShape, i, 0), nx = a.GetUInt64(fShape, i, 1);
                if (nx != ny || nx == 0 || nx > int.MaxValue)
                    throw new DataFormatException(csPath, $"blob/shape is ({ny}, {nx}); square images expected", particleIndex: i);
                box = (int)nx;
            }
            else
            {
                if (header is null)
                {
                    var table = new ParticleTable
                    {
                        SourcePath = csPath, Format = ParticleTableFormat.CryoSparc, Particles = [], Images = images,
                        PixelSizeAngstrom = psize, BoxSize = 0, OpticsGroups = [], ProjectDirectory = options.ProjectDirectory,
                    };
                    header = MrcFile.ReadHeader(table.ResolveImagePath(0));
                }
                box = header.Nx;
            }

            int number = fGroup is null ? 1 : checked((int)a.GetUInt64(fGroup, i) + 1);
            double kv = fKv is null ? 300 : Value(fKv, i);
            double cs = fCs is null ? 0 : Value(fCs, i), q0 = fQ0 is null ? 0 : Value(fQ0, i);
            if (!byNumber.TryGetValue(number, out var group))
            {
                group = new OpticsGroupInfo(number, $"opticsGroup{number}", kv, cs, q0, psize, box);
                groups.Add(group);
                byNumber[number] = group;
            }
            else if (group.VoltageKilovolt != kv || group.SphericalAberrationMillimetre != cs || group.AmplitudeContrast != q0
                     || group.PixelSizeAngstrom != psize || group.BoxSize != box)
            {
                throw new DataFormatException(csPath,
                    $"voltage, Cs, amplitude contrast, pixel size or box differ from the first particle of exposure group {number - 1}", particleIndex: i);
            }

            // pyem: rlnAngles = rot2euler(expmap(pose)) with expmap = Rodrigues(pose)^T.
            var rotation = Rotation.FromAxisAngle(Value(fPose, i, 0), Value(fPose, i, 1), Value(fPose, i, 2)).Transpose();
            // pyem: rlnOriginX = shift * alignments3D/psize_A / blob/psize_A (same sign); rlnOriginXAngst = rlnOriginX * blob/psize_A.
            double shiftScale = fAlignPsize is null ? psize : Value(fAlignPsize, i);
            double ox = fShift is null ? 0 : Value(fShift, i, 0) * shiftScale;
            double oy = fShift is null ? 0 : Value(fShift, i, 1) * shiftScale;
            CtfParameters c;
            try
            {
                c = ctf
                    ? new CtfParameters(Value(fDf1!, i), Value(fDf2!, i), Value(fDfAngle!, i) * 180 / Math.PI, kv, cs, q0,
                        fPhase is null ? 0 : Value(fPhase, i) * 180 / Math.PI, fB is null ? 0 : Value(fB, i))
                    : ParticleTable.UnitCtf(kv);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new DataFormatException(csPath, $"CTF values rejected: {e.Message}", particleIndex: i, innerException: e);
            }
            infos[i] = new ParticleInfo(images[i].ToString(), rotation, ox, oy, c, number);
            if (classes is not null)
            {
                ulong k = a.GetUInt64(fClass!, i);
                if (k > int.MaxValue) throw new DataFormatException(csPath, $"alignments3D/class {k} is out of range", particleIndex: i);
                classes[i] = (int)k;
            }
        }
        var first = groups[0];
        foreach (var g in groups)
            if (g.PixelSizeAngstrom != first.PixelSizeAngstrom || g.BoxSize != first.BoxSize)
                throw new DataFormatException(csPath,
                    $"exposure groups {first.Number - 1} and {g.Number - 1} differ in pixel size or box; classification needs one grid");

        return new ParticleTable
        {
            SourcePath = csPath,
            Format = ParticleTableFormat.CryoSparc,
            Particles = infos,
            Images = images,
            ClassIndices = classes,
            PixelSizeAngstrom = first.PixelSizeAngstrom,
            BoxSize = first.BoxSize,
            OpticsGroups = groups,
            CtfAbsent = options.CtfAbsent,
            ProjectDirectory = options.ProjectDirectory,
        };
    }

    /// <summary>
    /// Writes a cryoSPARC-style .cs (the inverse of <see cref="Read"/>): poses as axis-angle of the transposed
    /// RELION matrix, shifts in pixels (alignments3D/psize_A = the group's pixel size), angles in radians,
    /// exposure group = optics group - 1, class indices 0-based. Values are stored as float32 like cryoSPARC does.
    /// uids are a fixed hash of the row index, so the same input gives the same bytes.
    /// </summary>
    public static void Write(string csPath, IReadOnlyList<ParticleInfo> particles, IReadOnlyList<OpticsGroupInfo> opticsGroups,
        IReadOnlyList<int>? classIndices = null) =>
        Build(particles, opticsGroups, classIndices).Write(csPath);

    /// <summary>The array <see cref="Write"/> writes.</summary>
    public static NpyStructuredArray Build(IReadOnlyList<ParticleInfo> particles, IReadOnlyList<OpticsGroupInfo> opticsGroups,
        IReadOnlyList<int>? classIndices = null)
    {
        ArgumentNullException.ThrowIfNull(particles);
        ArgumentNullException.ThrowIfNull(opticsGroups);
        if (classIndices is not null && classIndices.Count != particles.Count)
            throw new ArgumentException($"{classIndices.Count} class indices for {particles.Count} particles", nameof(classIndices));
        var byNumber = opticsGroups.ToDictionary(g => g.Number);
        var images = new ImageReference[particles.Count];
        int pathBytes = 1;
        for (int i = 0; i < particles.Count; i++)
        {
            images[i] = ImageReference.Parse(particles[i].ImageName, "<particle list>", particleIndex: i);
            pathBytes = Math.Max(pathBytes, System.Text.Encoding.UTF8.GetByteCount(images[i].Path));
        }
        var specs = new List<NpyFieldSpec>
        {
            new("uid", "<u8"),
            new("blob/path", $"|S{pathBytes}"),
            new("blob/idx", "<u4"),
            new("blob/shape", "<u4", 2),
            new("blob/psize_A", "<f4"),
            new("ctf/exp_group_id", "<u4"),
            new("ctf/accel_kv", "<f4"),
            new("ctf/cs_mm", "<f4"),
            new("ctf/amp_contrast", "<f4"),
            new("ctf/df1_A", "<f4"),
            new("ctf/df2_A", "<f4"),
            new("ctf/df_angle_rad", "<f4"),
            new("ctf/phase_shift_rad", "<f4"),
            new("ctf/bfactor", "<f4"),
            new("alignments3D/pose", "<f4", 3),
            new("alignments3D/shift", "<f4", 2),
            new("alignments3D/psize_A", "<f4"),
        };
        if (classIndices is not null) specs.Add(new("alignments3D/class", "<u4"));
        var a = NpyStructuredArray.Create(specs, particles.Count);
        NpyField F(string name) => a.Field(name);
        var fUid = F("uid"); var fPath = F("blob/path"); var fIdx = F("blob/idx"); var fShape = F("blob/shape");
        var fPsize = F("blob/psize_A"); var fGroup = F("ctf/exp_group_id"); var fKv = F("ctf/accel_kv"); var fCs = F("ctf/cs_mm");
        var fQ0 = F("ctf/amp_contrast"); var fDf1 = F("ctf/df1_A"); var fDf2 = F("ctf/df2_A"); var fAngle = F("ctf/df_angle_rad");
        var fPhase = F("ctf/phase_shift_rad"); var fB = F("ctf/bfactor"); var fPose = F("alignments3D/pose");
        var fShift = F("alignments3D/shift"); var fAlignPsize = F("alignments3D/psize_A");
        for (int i = 0; i < particles.Count; i++)
        {
            var q = particles[i];
            if (!byNumber.TryGetValue(q.OpticsGroup, out var g) || q.OpticsGroup < 1)
                throw new ArgumentException($"particle {i} is in optics group {q.OpticsGroup}, which is not among the optics groups given", nameof(particles));
            if (q.Ctf.Scale != 1)
                throw new ArgumentException($"particle {i} has CTF scale {q.Ctf.Scale}; cryoSPARC's .cs has no field SweepLab maps it to", nameof(particles));
            a.SetUInt64(fUid, i, RowUid(i));
            a.SetString(fPath, i, images[i].Path);
            a.SetUInt64(fIdx, i, (ulong)images[i].Index);
            a.SetUInt64(fShape, i, (ulong)g.BoxSize, 0);
            a.SetUInt64(fShape, i, (ulong)g.BoxSize, 1);
            a.SetDouble(fPsize, i, g.PixelSizeAngstrom);
            a.SetUInt64(fGroup, i, (ulong)(q.OpticsGroup - 1));
            a.SetDouble(fKv, i, q.Ctf.VoltageKilovolt);
            a.SetDouble(fCs, i, q.Ctf.SphericalAberrationMillimetre);
            a.SetDouble(fQ0, i, q.Ctf.AmplitudeContrast);
            a.SetDouble(fDf1, i, q.Ctf.DefocusUAngstrom);
            a.SetDouble(fDf2, i, q.Ctf.DefocusVAngstrom);
            a.SetDouble(fAngle, i, q.Ctf.DefocusAngleDegrees * Math.PI / 180);
            a.SetDouble(fPhase, i, q.Ctf.PhaseShiftDegrees * Math.PI / 180);
            a.SetDouble(fB, i, q.Ctf.BFactorAngstrom2);
            var (x, y, z) = AxisAngle(q.Rotation.Transpose());
            a.SetDouble(fPose, i, x, 0);
            a.SetDouble(fPose, i, y, 1);
            a.SetDouble(fPose, i, z, 2);
            a.SetDouble(fShift, i, q.OriginXAngstrom / g.PixelSizeAngstrom, 0);
            a.SetDouble(fShift, i, q.OriginYAngstrom / g.PixelSizeAngstrom, 1);
            a.SetDouble(fAlignPsize, i, g.PixelSizeAngstrom);
            if (classIndices is not null)
            {
                if (classIndices[i] < 0) throw new ArgumentOutOfRangeException(nameof(classIndices), $"class index of particle {i} is negative");
                a.SetUInt64(F("alignments3D/class"), i, (ulong)classIndices[i]);
            }
        }
        return a;
    }

    /// <summary>
    /// The input .cs with a classification's result under the field names cryoSPARC's 3D Classification writes:
    /// alignments3D/class (0-based), alignments3D/class_posterior (the assigned class's posterior),
    /// alignments3D/class_ess, and alignments3D_multi/class_posterior (every class's posterior, shape (K,), as v4.5+
    /// writes it). Every input field, uid included, is kept byte for byte, in input order.
    /// </summary>
    public static NpyStructuredArray WithClassification(NpyStructuredArray input, IReadOnlyList<int> classes,
        IReadOnlyList<float> posteriors, IReadOnlyList<double> ess, int classCount)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (classes.Count != input.Count || ess.Count != input.Count || posteriors.Count != (long)input.Count * classCount)
            throw new DataFormatException(input.Path, $"{input.Count} particles in the file, {classes.Count} classified; the result belongs to another particle set");
        var a = input.WithFields(
        [
            new("alignments3D/class", "<u4"),
            new("alignments3D/class_posterior", "<f4"),
            new("alignments3D/class_ess", "<f4"),
            new("alignments3D_multi/class_posterior", "<f4", classCount),
        ]);
        var fClass = a.Field("alignments3D/class");
        var fPosterior = a.Field("alignments3D/class_posterior");
        var fEss = a.Field("alignments3D/class_ess");
        var fMulti = a.Field("alignments3D_multi/class_posterior");
        for (int i = 0; i < a.Count; i++)
        {
            a.SetUInt64(fClass, i, (ulong)classes[i]);
            a.SetDouble(fPosterior, i, posteriors[i * classCount + classes[i]]);
            a.SetDouble(fEss, i, ess[i]);
            for (int k = 0; k < classCount; k++) a.SetDouble(fMulti, i, posteriors[i * classCount + k], k);
        }
        return a;
    }

    /// <summary>SplitMix64 of the row index: unique, fixed uids (cryoSPARC's are random 64-bit numbers).</summary>
    private static ulong RowUid(int row)
    {
        ulong z = (ulong)row + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// The axis-angle vector (radians) of a rotation matrix, the inverse of Rodrigues' formula
    /// (<see cref="Rotation.FromAxisAngle"/>): angle from atan2(|skew part| / 2, (trace - 1) / 2), axis from the skew
    /// part, or near 180 degrees (where the skew part vanishes) from the symmetric part (R + I) / 2 = n n^T.
    /// </summary>
    public static (double X, double Y, double Z) AxisAngle(Rotation r)
    {
        double wx = r.M21 - r.M12, wy = r.M02 - r.M20, wz = r.M10 - r.M01;
        double sin2 = Math.Sqrt(wx * wx + wy * wy + wz * wz); // 2 sin(theta)
        double cos = (r.M00 + r.M11 + r.M22 - 1) / 2;
        double theta = Math.Atan2(sin2 / 2, cos);
        if (sin2 == 0 && cos > 0) return (0, 0, 0);
        if (sin2 > 1e-4 || cos > 0)
        {
            double s = theta / sin2;
            return (wx * s, wy * s, wz * s);
        }
        // theta near pi, where the skew part loses precision: the symmetric part is cos I + (1 - cos) n n^T, so
        // n n^T = (sym(R) - cos I) / (1 - cos); take the row with the largest diagonal.
        double d = 1 - cos;
        double b00 = (r.M00 - cos) / d, b11 = (r.M11 - cos) / d, b22 = (r.M22 - cos) / d;
        double b01 = (r.M01 + r.M10) / (2 * d), b02 = (r.M02 + r.M20) / (2 * d), b12 = (r.M12 + r.M21) / (2 * d);
        double nx, ny, nz;
        if (b00 >= b11 && b00 >= b22)
        {
            nx = Math.Sqrt(b00);
            ny = b01 / nx;
            nz = b02 / nx;
        }
        else if (b11 >= b22)
        {
            ny = Math.Sqrt(b11);
            nx = b01 / ny;
            nz = b12 / ny;
        }
        else
        {
            nz = Math.Sqrt(b22);
            nx = b02 / nz;
            ny = b12 / nz;
        }
        double norm = Math.Sqrt(nx * nx + ny * ny + nz * nz);
        nx /= norm; ny /= norm; nz /= norm;
        if (nx * wx + ny * wy + nz * wz < 0) { nx = -nx; ny = -ny; nz = -nz; }
        return (nx * theta, ny * theta, nz * theta);
    }
}
