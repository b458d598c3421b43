using SweepLab.Core.Ctf;
using SweepLab.Core.Geometry;
using SweepLab.Core.Particles;
using SweepLab.Formats.Mrc;
using SweepLab.Formats.Star;
using L = SweepLab.Formats.Particles.RelionLabels;

namespace SweepLab.Formats.Particles;

/// <summary>
/// RELION particle STAR files, 3.0 (one table, optics per particle) and 3.1+ (data_optics + data_particles joined on
/// rlnOpticsGroup). Converted here and only here: Euler angles (rot, tilt, psi, degrees) to
/// <see cref="Rotation.FromRelionEulerDegrees"/>, rlnOriginX/Y (pixels, 3.0) to Angstrom, rlnClassNumber to 0-based.
/// </summary>
public static class RelionParticles
{
    private const string PoseWhy = "poses are required: SweepLab classifies without alignment";
    private const string CtfWhy = "CTF parameters are required unless the data are declared CTF-free";

    public static ParticleTable Read(string starPath, ParticleReadOptions? options = null) =>
        FromDocument(StarReader.Read(starPath), starPath, options);

    /// <summary>Interprets an already parsed STAR document; <paramref name="starPath"/> names it in errors and
    /// anchors relative image paths.</summary>
    public static ParticleTable FromDocument(StarDocument document, string starPath, ParticleReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        options ??= new ParticleReadOptions();
        var opticsBlock = document.Find("optics");
        if (opticsBlock is not null)
        {
            var particlesBlock = document.Find("particles");
            if (particlesBlock?.Loop is null)
                throw new DataFormatException(starPath, "the file has data_optics but no data_particles loop (is it a micrograph STAR file?)");
            if (opticsBlock.Loop is null)
                throw new DataFormatException(starPath, "data_optics has no loop_");
            return ReadRelion31(document, opticsBlock, particlesBlock, starPath, options);
        }
        var block = document.Blocks.Find(b => b.Loop is { } loop && loop.HasColumn(L.ImageName))
            ?? throw new DataFormatException(starPath, "no particle table: no data_ block has a loop with _rlnImageName");
        return ReadRelion30(document, block, starPath, options);
    }

    private static ParticleTable ReadRelion31(StarDocument document, StarBlock opticsBlock, StarBlock particlesBlock, string path, ParticleReadOptions options)
    {
        var optics = new TableColumns(opticsBlock.Loop!, path, "optics");
        int cGroup = optics.Require(L.OpticsGroup, "optics groups are joined on it");
        int cName = optics.Optional(L.OpticsGroupName);
        int cVoltage = options.CtfAbsent ? optics.Optional(L.Voltage) : optics.Require(L.Voltage, CtfWhy);
        int cCs = options.CtfAbsent ? optics.Optional(L.SphericalAberration) : optics.Require(L.SphericalAberration, CtfWhy);
        int cQ0 = options.CtfAbsent ? optics.Optional(L.AmplitudeContrast) : optics.Require(L.AmplitudeContrast, CtfWhy);
        int cPixel = optics.Require(L.ImagePixelSize, "the particle images' pixel size");
        int cBox = optics.Optional(L.ImageSize);
        var particles = new TableColumns(particlesBlock.Loop!, path, "particles");
        if (particles.Loop.RowCount == 0) throw new DataFormatException(path, "data_particles has no particles (a loop header and no rows)");
        var images = ParseImages(particles, path);
        MrcHeader? header = null;

        var groups = new List<OpticsGroupInfo>();
        var byNumber = new Dictionary<int, OpticsGroupInfo>();
        for (int r = 0; r < optics.Loop.RowCount; r++)
        {
            int number = optics.Int(cGroup, r);
            if (byNumber.ContainsKey(number)) throw optics.Error(r, $"optics group {number} is defined twice");
            double pixel = optics.Double(cPixel, r);
            if (!(pixel > 0)) throw optics.Error(r, $"_{L.ImagePixelSize} must be positive, got {pixel}");
            int box;
            if (cBox >= 0) box = optics.Int(cBox, r);
            else
            {
                header ??= HeaderOfFirstImage(images, path, options, $"data_optics has no _{L.ImageSize}");
                box = header.Nx;
            }
            if (box <= 0) throw optics.Error(r, $"_{L.ImageSize} must be positive, got {box}");
            var group = new OpticsGroupInfo(number,
                cName >= 0 ? optics.Text(cName, r) : $"opticsGroup{number}",
                optics.DoubleOr(cVoltage, r, 300), optics.DoubleOr(cCs, r, 0), optics.DoubleOr(cQ0, r, 0), pixel, box);
            if (!(group.VoltageKilovolt > 0)) throw optics.Error(r, $"_{L.Voltage} must be positive, got {group.VoltageKilovolt}");
            if (!(group.AmplitudeContrast is >= 0 and < 1))
                throw optics.Error(r, $"_{L.AmplitudeContrast} must be in [0, 1), got {group.AmplitudeContrast}");
            groups.Add(group);
            byNumber[number] = group;
        }
        if (groups.Count == 0) throw new DataFormatException(path, "data_optics has no optics groups");

        int cParticleGroup = particles.Optional(L.OpticsGroup);
        if (cParticleGroup < 0 && groups.Count > 1)
            particles.Require(L.OpticsGroup, $"data_optics defines {groups.Count} groups");
        var rowGroups = new OpticsGroupInfo[particles.Loop.RowCount];
        for (int r = 0; r < rowGroups.Length; r++)
        {
            if (cParticleGroup < 0) { rowGroups[r] = groups[0]; continue; }
            int number = particles.Int(cParticleGroup, r);
            rowGroups[r] = byNumber.TryGetValue(number, out var g) ? g
                : throw particles.Error(r, $"optics group {number} is not defined in data_optics");
        }
        return Build(document, particles, images, rowGroups, groups, ParticleTableFormat.Relion31, path, options);
    }

    private static ParticleTable ReadRelion30(StarDocument document, StarBlock block, string path, ParticleReadOptions options)
    {
        var particles = new TableColumns(block.Loop!, path, block.Name);
        var images = ParseImages(particles, path);
        int cVoltage = options.CtfAbsent ? particles.Optional(L.Voltage) : particles.Require(L.Voltage, CtfWhy);
        int cCs = options.CtfAbsent ? particles.Optional(L.SphericalAberration) : particles.Require(L.SphericalAberration, CtfWhy);
        int cQ0 = options.CtfAbsent ? particles.Optional(L.AmplitudeContrast) : particles.Require(L.AmplitudeContrast, CtfWhy);
        int cPixel = particles.Optional(L.ImagePixelSize);
        int cDetector = particles.Optional(L.DetectorPixelSize);
        int cMagnification = particles.Optional(L.Magnification);
        int cBox = particles.Optional(L.ImageSize);
        MrcHeader? header = null;
        int n = particles.Loop.RowCount;

        // RELION 3.0 repeats optics values on every row; distinct combinations become optics groups 1, 2, ...
        // in order of first appearance.
        var rowGroups = new OpticsGroupInfo[n];
        var groups = new List<OpticsGroupInfo>();
        var byKey = new Dictionary<(double, double, double, double, int), OpticsGroupInfo>();
        for (int r = 0; r < n; r++)
        {
            double pixel;
            if (cPixel >= 0) pixel = particles.Double(cPixel, r);
            else if (cDetector >= 0 && cMagnification >= 0)
                pixel = particles.Double(cDetector, r) * 1e4 / particles.Double(cMagnification, r);
            else
            {
                header ??= HeaderOfFirstImage(images, path, options,
                    $"no _{L.ImagePixelSize} or _{L.DetectorPixelSize} + _{L.Magnification} columns");
                pixel = header.PixelSizeAngstrom ?? throw new DataFormatException(path,
                    $"no pixel size: no _{L.ImagePixelSize} or _{L.DetectorPixelSize} + _{L.Magnification} columns, and the MRC header of '{images[0].Path}' leaves it unset");
            }
            if (!(pixel > 0) || !double.IsFinite(pixel)) throw particles.Error(r, $"pixel size must be positive, got {pixel}");
            int box;
            if (cBox >= 0) box = particles.Int(cBox, r);
            else
            {
                header ??= HeaderOfFirstImage(images, path, options, $"no _{L.ImageSize} column");
                box = header.Nx;
            }
            var key = (particles.DoubleOr(cVoltage, r, 300), particles.DoubleOr(cCs, r, 0), particles.DoubleOr(cQ0, r, 0), pixel, box);
            if (!byKey.TryGetValue(key, out var group))
            {
                group = new OpticsGroupInfo(groups.Count + 1, $"opticsGroup{groups.Count + 1}", key.Item1, key.Item2, key.Item3, pixel, box);
                groups.Add(group);
                byKey[key] = group;
            }
            rowGroups[r] = group;
        }
        if (n == 0) throw new DataFormatException(path, $"data_{block.Name} has no particles");
        return Build(document, particles, images, rowGroups, groups, ParticleTableFormat.Relion30, path, options);
    }

    private static ImageReference[] ParseImages(TableColumns particles, string path)
    {
        int cImage = particles.Require(L.ImageName, "each particle's image");
        var images = new ImageReference[particles.Loop.RowCount];
        for (int r = 0; r < images.Length; r++)
            images[r] = ImageReference.Parse(particles.Text(cImage, r), path, particles.LineOf(r), r);
        return images;
    }

    private static MrcHeader HeaderOfFirstImage(ImageReference[] images, string path, ParticleReadOptions options, string why)
    {
        if (images.Length == 0) throw new DataFormatException(path, $"{why}, and there are no particles whose image header could tell");
        try
        {
            var header = MrcFile.ReadHeader(images[0].Resolve(path, options.ProjectDirectory));
            if (header.Nx != header.Ny)
                throw new DataFormatException(path, $"{why}, and the images of '{images[0].Path}' are not square ({header.Nx} x {header.Ny})");
            return header;
        }
        catch (DataFormatException e) when (e.FilePath != path)
        {
            throw new DataFormatException(path, $"{why}; reading the first image's header failed: {e.Message}", innerException: e);
        }
    }

    private static ParticleTable Build(StarDocument document, TableColumns p, ImageReference[] images, OpticsGroupInfo[] rowGroups,
        List<OpticsGroupInfo> groups, ParticleTableFormat format, string path, ParticleReadOptions options)
    {
        var first = groups[0];
        foreach (var g in groups)
        {
            if (Math.Abs(g.PixelSizeAngstrom - first.PixelSizeAngstrom) > 1e-6 * first.PixelSizeAngstrom || g.BoxSize != first.BoxSize)
                throw new DataFormatException(path,
                    $"optics groups {first.Number} and {g.Number} differ in pixel size or box ({first.PixelSizeAngstrom} A, {first.BoxSize} px vs {g.PixelSizeAngstrom} A, {g.BoxSize} px); " +
                    "classification needs one grid: rescale or re-extract so all particles match");
        }

        int cRot = p.Require(L.AngleRot, PoseWhy), cTilt = p.Require(L.AngleTilt, PoseWhy), cPsi = p.Require(L.AnglePsi, PoseWhy);
        int cOxA = p.Optional(L.OriginXAngst), cOyA = p.Optional(L.OriginYAngst);
        int cOx = p.Optional(L.OriginX), cOy = p.Optional(L.OriginY);
        bool angstrom = cOxA >= 0 || cOyA >= 0;
        if (angstrom && (cOxA < 0 || cOyA < 0))
            p.Require(cOxA < 0 ? L.OriginXAngst : L.OriginYAngst, "origins come in X, Y pairs");
        if (!angstrom && (cOx >= 0 || cOy >= 0) && (cOx < 0 || cOy < 0))
            p.Require(cOx < 0 ? L.OriginX : L.OriginY, "origins come in X, Y pairs");
        bool ctf = !options.CtfAbsent;
        int cU = ctf ? p.Require(L.DefocusU, CtfWhy) : -1;
        int cV = ctf ? p.Require(L.DefocusV, CtfWhy) : -1;
        int cAngle = ctf ? p.Require(L.DefocusAngle, CtfWhy) : -1;
        int cPhase = p.Optional(L.PhaseShift), cB = p.Optional(L.CtfBfactor), cScale = p.Optional(L.CtfScalefactor);
        int cClass = p.Optional(L.ClassNumber);

        int n = images.Length;
        var infos = new ParticleInfo[n];
        var classes = cClass >= 0 ? new int[n] : null;
        for (int r = 0; r < n; r++)
        {
            var g = rowGroups[r];
            var rotation = Rotation.FromRelionEulerDegrees(p.Double(cRot, r), p.Double(cTilt, r), p.Double(cPsi, r));
            double ox = 0, oy = 0;
            if (angstrom) { ox = p.Double(cOxA, r); oy = p.Double(cOyA, r); }
            else if (cOx >= 0) { ox = p.Double(cOx, r) * g.PixelSizeAngstrom; oy = p.Double(cOy, r) * g.PixelSizeAngstrom; }
            CtfParameters ctfParameters;
            try
            {
                ctfParameters = ctf
                    ? new CtfParameters(p.Double(cU, r), p.Double(cV, r), p.Double(cAngle, r),
                        g.VoltageKilovolt, g.SphericalAberrationMillimetre, g.AmplitudeContrast,
                        p.DoubleOr(cPhase, r, 0), p.DoubleOr(cB, r, 0), p.DoubleOr(cScale, r, 1))
                    : ParticleTable.UnitCtf(g.VoltageKilovolt);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw p.Error(r, $"CTF values rejected: {e.Message}", e);
            }
            infos[r] = new ParticleInfo(p.Text(p.Optional(L.ImageName), r), rotation, ox, oy, ctfParameters, g.Number);
            if (classes is not null)
            {
                int number = p.Int(cClass, r);
                if (number < 1) throw p.Error(r, $"_{L.ClassNumber} is {number}; RELION class numbers start at 1");
                classes[r] = number - 1;
            }
        }
        return new ParticleTable
        {
            SourcePath = path,
            Format = format,
            Particles = infos,
            Images = images,
            ClassIndices = classes,
            PixelSizeAngstrom = first.PixelSizeAngstrom,
            BoxSize = first.BoxSize,
            OpticsGroups = groups,
            SourceDocument = document,
            CtfAbsent = options.CtfAbsent,
            ProjectDirectory = options.ProjectDirectory,
        };
    }

    /// <summary>
    /// Writes a RELION 3.1 particle file in input order: for RELION input, the original document (unknown columns and
    /// blocks kept; a 3.0 table is converted to data_optics + data_particles with origins in Angstrom) with
    /// <paramref name="columns"/> added or replacing same-named ones; for cryoSPARC input, a file built from scratch.
    /// </summary>
    public static void Write(string path, ParticleTable source, IEnumerable<StarColumn>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        StarWriter.Write(path, BuildDocument(source, columns), "version 30001");
    }

    /// <summary>The document <see cref="Write"/> writes.</summary>
    public static StarDocument BuildDocument(ParticleTable source, IEnumerable<StarColumn>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var added = CheckColumns(columns, source.Count);
        if (source.SourceDocument is null || source.Format == ParticleTableFormat.CryoSparc)
            return BuildNew(source.Particles, source.OpticsGroups, added);
        StarDocument doc;
        StarLoop loop;
        if (source.Format == ParticleTableFormat.Relion31)
        {
            doc = source.SourceDocument.Clone();
            loop = doc.Find("particles")!.Loop!;
        }
        else
        {
            var original = source.SourceDocument;
            var particleBlock = original.Blocks.Find(b => b.Loop is { } l && l.HasColumn(L.ImageName))!;
            loop = particleBlock.Loop!.Clone();
            foreach (var name in new[] { L.Voltage, L.SphericalAberration, L.AmplitudeContrast, L.ImagePixelSize, L.ImageSize,
                         L.Magnification, L.DetectorPixelSize, L.OriginX, L.OriginY, L.OpticsGroup })
                loop.RemoveColumn(name);
            if (loop.HasColumn(L.OriginXAngst) || source.Particles.Any(q => q.OriginXAngstrom != 0 || q.OriginYAngstrom != 0))
            {
                loop.SetColumn(L.OriginXAngst, source.Particles.Select(q => InvariantNumbers.Format(q.OriginXAngstrom)).ToArray());
                loop.SetColumn(L.OriginYAngst, source.Particles.Select(q => InvariantNumbers.Format(q.OriginYAngstrom)).ToArray());
            }
            loop.SetColumn(L.OpticsGroup, source.Particles.Select(q => InvariantNumbers.Format(q.OpticsGroup)).ToArray());
            doc = new StarDocument();
            doc.Add(new StarBlock("optics", OpticsLoop(source.OpticsGroups)));
            var particles = new StarBlock("particles", loop);
            particles.Pairs.AddRange(particleBlock.Pairs);
            doc.Add(particles);
            foreach (var b in original.Blocks)
                if (!ReferenceEquals(b, particleBlock) && b.Name is not ("optics" or "particles")) doc.Add(b.Clone());
        }
        foreach (var c in added) loop.SetColumn(c.Name, c.Values);
        return doc;
    }

    /// <summary>Writes a RELION 3.1 particle file from scratch (the simulator's output, cryoSPARC conversions).</summary>
    public static void WriteNew(string path, IReadOnlyList<ParticleInfo> particles, IReadOnlyList<OpticsGroupInfo> opticsGroups,
        IEnumerable<StarColumn>? columns = null) =>
        StarWriter.Write(path, BuildNew(particles, opticsGroups, CheckColumns(columns, particles.Count)), "version 30001");

    /// <summary>The document <see cref="WriteNew"/> writes. Every particle's voltage, Cs and amplitude contrast must
    /// equal its optics group's (they live only there in RELION 3.1).</summary>
    public static StarDocument BuildNew(IReadOnlyList<ParticleInfo> particles, IReadOnlyList<OpticsGroupInfo> opticsGroups,
        IReadOnlyList<StarColumn>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(particles);
        ArgumentNullException.ThrowIfNull(opticsGroups);
        var added = CheckColumns(columns, particles.Count);
        var byNumber = new Dictionary<int, OpticsGroupInfo>();
        foreach (var g in opticsGroups)
            if (!byNumber.TryAdd(g.Number, g)) throw new ArgumentException($"optics group {g.Number} appears twice", nameof(opticsGroups));
        var loop = new StarLoop([L.ImageName, L.AngleRot, L.AngleTilt, L.AnglePsi, L.OriginXAngst, L.OriginYAngst,
            L.DefocusU, L.DefocusV, L.DefocusAngle, L.PhaseShift, L.CtfBfactor, L.CtfScalefactor, L.OpticsGroup]);
        var row = new string[loop.Columns.Count];
        for (int i = 0; i < particles.Count; i++)
        {
            var q = particles[i];
            if (!byNumber.TryGetValue(q.OpticsGroup, out var g))
                throw new ArgumentException($"particle {i} is in optics group {q.OpticsGroup}, which is not among the optics groups given", nameof(particles));
            var c = q.Ctf;
            if (!Same(c.VoltageKilovolt, g.VoltageKilovolt) || !Same(c.SphericalAberrationMillimetre, g.SphericalAberrationMillimetre)
                || !Same(c.AmplitudeContrast, g.AmplitudeContrast))
                throw new ArgumentException($"particle {i}: voltage, Cs or amplitude contrast differ from optics group {g.Number}'s", nameof(particles));
            var (rot, tilt, psi) = q.Rotation.ToRelionEulerDegrees();
            row[0] = q.ImageName;
            row[1] = InvariantNumbers.Format(rot);
            row[2] = InvariantNumbers.Format(tilt);
            row[3] = InvariantNumbers.Format(psi);
            row[4] = InvariantNumbers.Format(q.OriginXAngstrom);
            row[5] = InvariantNumbers.Format(q.OriginYAngstrom);
            row[6] = InvariantNumbers.Format(c.DefocusUAngstrom);
            row[7] = InvariantNumbers.Format(c.DefocusVAngstrom);
            row[8] = InvariantNumbers.Format(c.DefocusAngleDegrees);
            row[9] = InvariantNumbers.Format(c.PhaseShiftDegrees);
            row[10] = InvariantNumbers.Format(c.BFactorAngstrom2);
            row[11] = InvariantNumbers.Format(c.Scale);
            row[12] = InvariantNumbers.Format(q.OpticsGroup);
            loop.AddRow(row);
        }
        foreach (var c in added) loop.SetColumn(c.Name, c.Values);
        var doc = new StarDocument();
        doc.Add(new StarBlock("optics", OpticsLoop(opticsGroups)));
        doc.Add(new StarBlock("particles", loop));
        return doc;
    }

    private static bool Same(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(b));

    private static StarLoop OpticsLoop(IReadOnlyList<OpticsGroupInfo> groups)
    {
        var loop = new StarLoop([L.OpticsGroupName, L.OpticsGroup, L.Voltage, L.SphericalAberration, L.AmplitudeContrast,
            L.ImagePixelSize, L.ImageSize, L.ImageDimensionality]);
        foreach (var g in groups)
            loop.AddRow([g.Name, InvariantNumbers.Format(g.Number), InvariantNumbers.Format(g.VoltageKilovolt),
                InvariantNumbers.Format(g.SphericalAberrationMillimetre), InvariantNumbers.Format(g.AmplitudeContrast),
                InvariantNumbers.Format(g.PixelSizeAngstrom), InvariantNumbers.Format(g.BoxSize), "2"]);
        return loop;
    }

    private static IReadOnlyList<StarColumn> CheckColumns(IEnumerable<StarColumn>? columns, int count)
    {
        var list = columns?.ToList() ?? [];
        foreach (var c in list)
            if (c.Values.Count != count)
                throw new ArgumentException($"column {c.Name} has {c.Values.Count} values for {count} particles", nameof(columns));
        return list;
    }
}
