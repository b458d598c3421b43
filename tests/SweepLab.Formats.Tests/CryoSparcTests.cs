using System.Globalization;
using SweepLab.Core.Ctf;
using SweepLab.Core.Geometry;
using SweepLab.Core.Particles;
using SweepLab.Formats.Particles;

namespace SweepLab.Formats.Tests;

public class CryoSparcTests
{
    private const string CsDict =
        "{'descr': [('uid', '<u8'), ('blob/path', '|S24'), ('blob/idx', '<u4'), ('blob/shape', '<u4', (2,)), ('blob/psize_A', '<f4'), " +
        "('alignments3D/pose', '<f4', (3,)), ('alignments3D/shift', '<f4', (2,)), ('alignments3D/psize_A', '<f4'), ('alignments3D/class', '<u4'), " +
        "('ctf/accel_kv', '<f4'), ('ctf/cs_mm', '<f4'), ('ctf/amp_contrast', '<f4'), ('ctf/df1_A', '<f4'), ('ctf/df2_A', '<f4'), " +
        "('ctf/df_angle_rad', '<f4'), ('ctf/phase_shift_rad', '<f4'), ('ctf/bfactor', '<f4'), ('ctf/exp_group_id', '<u4')], " +
        "'fortran_order': False, 'shape': (3,), }";

    private static readonly (double X, double Y, double Z)[] Poses = [(0, 0, 0.5), (0, 0.3, 0), (0.3, -0.7, 1.1)];
    private static readonly (float X, float Y)[] Shifts = [(3, -2), (1, 1), (-0.5f, 0.25f)];
    private static readonly float[] AlignPsize = [1.5f, 3.0f, 1.5f];

    /// <summary>A cryoSPARC .cs file written record by record with BinaryWriter, not with the library.</summary>
    private static void WriteRawCs(string path, bool withPoses = true)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        for (int i = 0; i < 3; i++)
        {
            w.Write(0xC0FFEEUL + (ulong)i);
            var p = new byte[24];
            System.Text.Encoding.ASCII.GetBytes(i == 2 ? ">J5/extract/stack.mrc" : "J5/extract/stack.mrc").CopyTo(p, 0);
            w.Write(p);
            w.Write((uint)(3 + i));
            w.Write(64u); w.Write(64u);
            w.Write(1.5f);
            w.Write((float)Poses[i].X); w.Write((float)Poses[i].Y); w.Write((float)Poses[i].Z);
            w.Write(Shifts[i].X); w.Write(Shifts[i].Y);
            w.Write(AlignPsize[i]);
            w.Write((uint)(i % 2));
            w.Write(300f); w.Write(2.7f); w.Write(0.1f);
            w.Write(12000f + i); w.Write(11000f); w.Write(0.5f); w.Write(0.25f); w.Write(10f);
            w.Write(0u);
        }
        string dict = withPoses ? CsDict : CsDict.Replace("alignments3D/pose", "alignments3D/other");
        NpyTests.WriteRaw(path, dict, ms.ToArray());
    }

    /// <summary>Rodrigues' formula written out here (I + sin K + (1 - cos) K^2), independent of Core.</summary>
    private static Rotation Rodrigues(double x, double y, double z)
    {
        double t = Math.Sqrt(x * x + y * y + z * z);
        double kx = x / t, ky = y / t, kz = z / t, s = Math.Sin(t), c1 = 1 - Math.Cos(t);
        double[,] k = { { 0, -kz, ky }, { kz, 0, -kx }, { -ky, kx, 0 } };
        var r = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double kk = 0;
                for (int m = 0; m < 3; m++) kk += k[i, m] * k[m, j];
                r[i, j] = (i == j ? 1 : 0) + s * k[i, j] + c1 * kk;
            }
        return new Rotation(r[0, 0], r[0, 1], r[0, 2], r[1, 0], r[1, 1], r[1, 2], r[2, 0], r[2, 1], r[2, 2]);
    }

    [Fact]
    public void PosesAndShiftsMatchTheEquivalentStarAsPyemConvertsThem()
    {
        using var dir = new TempDir();
        string cs = dir.File("J10/particles.cs");
        Directory.CreateDirectory(dir.File("J10"));
        WriteRawCs(cs);

        // The STAR file pyem's csparc2star.py would write: angles = rot2euler(Rodrigues(pose)^T), known in closed form
        // for the first two (about z: rot = angle; about y: tilt = angle); origins = shift * alignments3D/psize_A.
        var third = Rodrigues(0.3, -0.7, 1.1).Transpose().ToRelionEulerDegrees();
        var angles = new[] { (0.5 * 180 / Math.PI, 0.0, 0.0), (0.0, 0.3 * 180 / Math.PI, 0.0), third };
        var inv = CultureInfo.InvariantCulture;
        var star = new System.Text.StringBuilder(
            "data_optics\nloop_\n_rlnOpticsGroup\n_rlnVoltage\n_rlnSphericalAberration\n_rlnAmplitudeContrast\n_rlnImagePixelSize\n_rlnImageSize\n" +
            "1 300 2.7 0.1 1.5 64\n\ndata_particles\nloop_\n_rlnImageName\n_rlnAngleRot\n_rlnAngleTilt\n_rlnAnglePsi\n_rlnOriginXAngst\n_rlnOriginYAngst\n" +
            "_rlnDefocusU\n_rlnDefocusV\n_rlnDefocusAngle\n_rlnPhaseShift\n_rlnCtfBfactor\n_rlnClassNumber\n_rlnOpticsGroup\n");
        for (int i = 0; i < 3; i++)
            star.Append(string.Create(inv, $"{i + 4:D6}@J5/extract/stack.mrc {angles[i].Item1:R} {angles[i].Item2:R} {angles[i].Item3:R} ")
                + string.Create(inv, $"{Shifts[i].X * AlignPsize[i]:R} {Shifts[i].Y * AlignPsize[i]:R} {12000 + i} 11000 {0.5 * 180 / Math.PI:R} {(double)0.25f * 180 / Math.PI:R} 10 {i % 2 + 1} 1\n"));
        string starPath = dir.File("equivalent.star");
        File.WriteAllText(starPath, star.ToString());

        var fromCs = CryoSparcParticles.Read(cs);
        var fromStar = RelionParticles.Read(starPath);
        Assert.Equal(ParticleTableFormat.CryoSparc, fromCs.Format);
        Assert.Equal(1.5, fromCs.PixelSizeAngstrom);
        Assert.Equal(64, fromCs.BoxSize);
        Assert.Equal([0, 1, 0], fromCs.ClassIndices);
        Assert.Equal(fromStar.ClassIndices, fromCs.ClassIndices);
        Assert.Equal(fromStar.Images, fromCs.Images);
        for (int i = 0; i < 3; i++)
        {
            var (a, b) = (fromCs.Particles[i], fromStar.Particles[i]);
            Assert.Equal(b.ImageName, a.ImageName);
            Assert.True(a.Rotation.MaxAbsDifference(b.Rotation) < 1e-6, $"particle {i}: {a.Rotation} vs {b.Rotation}");
            Assert.Equal(b.OriginXAngstrom, a.OriginXAngstrom, 6);
            Assert.Equal(b.OriginYAngstrom, a.OriginYAngstrom, 6);
            Assert.Equal(b.Ctf.DefocusUAngstrom, a.Ctf.DefocusUAngstrom, 6);
            Assert.Equal(b.Ctf.DefocusAngleDegrees, a.Ctf.DefocusAngleDegrees, 5);
            Assert.Equal(b.Ctf.PhaseShiftDegrees, a.Ctf.PhaseShiftDegrees, 5);
            Assert.Equal(b.Ctf.BFactorAngstrom2, a.Ctf.BFactorAngstrom2);
            Assert.Equal(b.Ctf.VoltageKilovolt, a.Ctf.VoltageKilovolt);
            Assert.Equal(b.Ctf.SphericalAberrationMillimetre, a.Ctf.SphericalAberrationMillimetre, 6);
            Assert.Equal(b.Ctf.AmplitudeContrast, a.Ctf.AmplitudeContrast, 6);
            Assert.Equal(b.OpticsGroup, a.OpticsGroup);
        }
        // Closed-form checks that pin the transpose and the shift sign and scale.
        Assert.True(fromCs.Particles[1].Rotation.MaxAbsDifference(Rotation.FromRelionEulerDegrees(0, 0.3 * 180 / Math.PI, 0)) < 1e-7);
        Assert.Equal((4.5, -3.0), (fromCs.Particles[0].OriginXAngstrom, fromCs.Particles[0].OriginYAngstrom));
        Assert.Equal((3.0, 3.0), (fromCs.Particles[1].OriginXAngstrom, fromCs.Particles[1].OriginYAngstrom));
    }

    [Fact]
    public void ImagesResolveInTheProjectFolderAboveTheJob()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("J10"));
        Directory.CreateDirectory(dir.File("J5/extract"));
        File.WriteAllText(dir.File("J5/extract/stack.mrc"), "");
        WriteRawCs(dir.File("J10/particles.cs"));
        var t = CryoSparcParticles.Read(dir.File("J10/particles.cs"));
        Assert.Equal(3, t.Images[0].Index);
        Assert.Equal(Path.Combine(dir.Path, "J5/extract/stack.mrc"), t.ResolveImagePath(0, projectDirectory: dir.File("J10")));
    }

    [Fact]
    public void MissingPosesAreReported()
    {
        using var dir = new TempDir();
        string cs = dir.File("noposes.cs");
        WriteRawCs(cs, withPoses: false);
        var e = Assert.Throws<DataFormatException>(() => CryoSparcParticles.Read(cs));
        Assert.Equal(cs, e.FilePath);
        Assert.Contains("no poses", e.Message);
    }

    [Fact]
    public void MissingCtfFieldsAndNonFiniteValuesAreReported()
    {
        using var dir = new TempDir();
        string cs = dir.File("x.cs");
        var a = CryoSparcParticles.Build([Particle(0, Rotation.Identity)], [Group]);
        a.SetDouble(a.Field("ctf/df1_A"), 0, double.NaN);
        a.Write(cs);
        var e = Assert.Throws<DataFormatException>(() => CryoSparcParticles.Read(cs));
        Assert.Equal(0, e.ParticleIndex);
        Assert.Contains("ctf/df1_A", e.Message);

        var raw = NpyStructuredArray(a);
        string noCtf = dir.File("noctf.cs");
        NpyTests.WriteRaw(noCtf, raw.Dict.Replace("ctf/df2_A", "ctf/other"), raw.Records);
        Assert.Contains("ctf/df2_A", Assert.Throws<DataFormatException>(() => CryoSparcParticles.Read(noCtf)).Message);
    }

    private static (string Dict, byte[] Records) NpyStructuredArray(SweepLab.Formats.Npy.NpyStructuredArray a)
    {
        using var dir = new TempDir();
        a.Write(dir.File("t.npy"));
        var bytes = File.ReadAllBytes(dir.File("t.npy"));
        int len = BitConverter.ToUInt16(bytes, 8);
        return (System.Text.Encoding.Latin1.GetString(bytes, 10, len).TrimEnd(), bytes[(10 + len)..]);
    }

    private static readonly OpticsGroupInfo Group = new(1, "g", 300, 2.7, 0.1, 1.3, 65);

    private static ParticleInfo Particle(int i, Rotation r, double ox = 0, double oy = 0) =>
        new($"{i + 1:D6}@J2/stack_{i % 3}.mrc", r, ox, oy, new CtfParameters(10000 + i, 9000 + i, 30 - i, 300, 2.7, 0.1, 3, 20), 1);

    [Fact]
    public void WriteThenReadRecoversPosesShiftsAndCtf()
    {
        using var dir = new TempDir();
        var r = new TestRandom(17);
        var rotations = new List<Rotation>
        {
            Rotation.Identity,
            Rotation.FromRelionEulerDegrees(0, 180, 0),
            Rotation.FromRelionEulerDegrees(90, 180, -90),
            Rotation.FromRelionEulerDegrees(180, 0, 0),
            Rotation.FromAxisAngle(Math.PI, 0, 0),
            Rotation.FromAxisAngle(0, Math.PI / Math.Sqrt(2), Math.PI / Math.Sqrt(2)),
            Rotation.FromAxisAngle(1e-9, 0, 0),
        };
        for (int i = 0; i < 60; i++)
            rotations.Add(Rotation.FromRelionEulerDegrees(r.Uniform(-180, 180), Math.Acos(r.Uniform(-1, 1)) * 180 / Math.PI, r.Uniform(-180, 180)));
        var particles = rotations.Select((rot, i) => Particle(i, rot, r.Uniform(-6, 6), r.Uniform(-6, 6))).ToList();
        var classes = particles.Select((_, i) => i % 4).ToList();
        string cs = dir.File("out.cs");
        CryoSparcParticles.Write(cs, particles, [Group], classes);
        var t = CryoSparcParticles.Read(cs);
        Assert.Equal(classes, t.ClassIndices);
        Assert.Equal(1.3, t.PixelSizeAngstrom, 6);
        Assert.Equal(65, t.BoxSize);
        for (int i = 0; i < particles.Count; i++)
        {
            var (a, b) = (particles[i], t.Particles[i]);
            Assert.Equal(a.ImageName, b.ImageName);
            Assert.True(a.Rotation.MaxAbsDifference(b.Rotation) < 1e-6, $"particle {i}");
            Assert.Equal(a.OriginXAngstrom, b.OriginXAngstrom, 5);
            Assert.Equal(a.OriginYAngstrom, b.OriginYAngstrom, 5);
            Assert.Equal(a.Ctf.DefocusUAngstrom, b.Ctf.DefocusUAngstrom, 2);
            Assert.Equal(a.Ctf.DefocusAngleDegrees, b.Ctf.DefocusAngleDegrees, 4);
            Assert.Equal(a.Ctf.PhaseShiftDegrees, b.Ctf.PhaseShiftDegrees, 4);
            Assert.Equal(a.Ctf.BFactorAngstrom2, b.Ctf.BFactorAngstrom2, 5);
        }
        string again = dir.File("again.cs");
        CryoSparcParticles.Write(again, particles, [Group], classes);
        Assert.Equal(File.ReadAllBytes(cs), File.ReadAllBytes(again));

        // cryoSPARC input written back as a RELION 3.1 file keeps the converted poses.
        string star = dir.File("from_cs.star");
        RelionParticles.Write(star, t, [StarColumn.ClassNumbers(classes)]);
        var s = RelionParticles.Read(star);
        Assert.Equal(classes, s.ClassIndices);
        // Euler angles are exact to ~1e-15 away from tilt 0 and 180; there RELION's decomposition (Core's
        // ToRelionEulerDegrees) treats |sin tilt| below 1.6e-6 as zero, which bounds the error by that.
        for (int i = 0; i < particles.Count; i++)
        {
            double error = s.Particles[i].Rotation.MaxAbsDifference(t.Particles[i].Rotation);
            double sinTilt = Math.Sqrt(Math.Pow(t.Particles[i].Rotation.M02, 2) + Math.Pow(t.Particles[i].Rotation.M12, 2));
            Assert.True(error < (sinTilt > 1e-5 ? 1e-12 : 2e-6), $"particle {i}: {error}");
        }
    }

    [Fact]
    public void AxisAngleInvertsRodrigues()
    {
        var r = new TestRandom(3);
        var vectors = new List<(double, double, double)> { (0, 0, 0), (Math.PI, 0, 0), (0, -Math.PI, 0), (1.2, -0.4, 2.2), (1e-8, 0, 0) };
        for (int i = 0; i < 200; i++)
        {
            double x = r.Uniform(-1, 1), y = r.Uniform(-1, 1), z = r.Uniform(-1, 1);
            double n = Math.Sqrt(x * x + y * y + z * z);
            double angle = i < 20 ? Math.PI - r.Uniform(0, 1e-5) : r.Uniform(0, Math.PI);
            vectors.Add((x / n * angle, y / n * angle, z / n * angle));
        }
        foreach (var (x, y, z) in vectors)
        {
            var rot = Rotation.FromAxisAngle(x, y, z);
            var (ax, ay, az) = CryoSparcParticles.AxisAngle(rot);
            Assert.True(Rotation.FromAxisAngle(ax, ay, az).MaxAbsDifference(rot) < 1e-10, $"({x}, {y}, {z}) -> ({ax}, {ay}, {az})");
            double angle = Math.Sqrt(x * x + y * y + z * z);
            if (angle < Math.PI - 1e-3) Assert.Equal((x, y, z), (ax, ay, az), new TupleComparer(1e-9));
        }
    }

    private sealed class TupleComparer(double tolerance) : IEqualityComparer<(double, double, double)>
    {
        public bool Equals((double, double, double) a, (double, double, double) b) =>
            Math.Abs(a.Item1 - b.Item1) < tolerance && Math.Abs(a.Item2 - b.Item2) < tolerance && Math.Abs(a.Item3 - b.Item3) < tolerance;

        public int GetHashCode((double, double, double) obj) => 0;
    }

    [Fact]
    public void WriterRefusesWhatItCannotRepresent()
    {
        using var dir = new TempDir();
        var scaled = Particle(0, Rotation.Identity) with { Ctf = new CtfParameters(1, 1, 0, 300, 2.7, 0.1, scale: 0.8) };
        Assert.Throws<ArgumentException>(() => CryoSparcParticles.Write(dir.File("a.cs"), [scaled], [Group]));
        Assert.Throws<ArgumentException>(() => CryoSparcParticles.Write(dir.File("a.cs"), [Particle(0, Rotation.Identity) with { OpticsGroup = 2 }], [Group]));
        Assert.False(File.Exists(dir.File("a.cs")));
    }
}
