using System.Globalization;
using System.Text;
using SweepLab.Formats.Mrc;
using SweepLab.Formats.Particles;
using SweepLab.Formats.Preprocessing;

namespace SweepLab.Formats.Tests;

public sealed class ParticleCacheTests
{
    private const int Box = 32, Count = 40;
    private const double Pixel = 3.0, Target = 8.0;

    /// <summary>A RELION 3.1 particle file over one random-noise stack, origins and defoci varying per particle.</summary>
    private static string WriteSet(TempDir dir, ulong seed = 1)
    {
        var random = new TestRandom(seed);
        var images = new float[Count * Box * Box];
        for (int i = 0; i < images.Length; i++) images[i] = (float)random.Uniform(-1, 1);
        MrcFile.Write(dir.File("stack.mrcs"), images, Box, Box, Count, Pixel, isStack: true);
        var c = CultureInfo.InvariantCulture;
        var star = new StringBuilder("""
            # version 30001

            data_optics

            loop_
            _rlnOpticsGroupName #1
            _rlnOpticsGroup #2
            _rlnVoltage #3
            _rlnSphericalAberration #4
            _rlnAmplitudeContrast #5
            _rlnImagePixelSize #6
            _rlnImageSize #7
            _rlnImageDimensionality #8
            opticsGroup1 1 300 2.7 0.1 3.0 32 2

            data_particles

            loop_
            _rlnImageName #1
            _rlnAngleRot #2
            _rlnAngleTilt #3
            _rlnAnglePsi #4
            _rlnOriginXAngst #5
            _rlnOriginYAngst #6
            _rlnDefocusU #7
            _rlnDefocusV #8
            _rlnDefocusAngle #9
            _rlnOpticsGroup #10

            """);
        for (int i = 0; i < Count; i++)
            star.Append(c, $"{i + 1:000000}@stack.mrcs {random.Uniform(-180, 180):0.00} {random.Uniform(0, 180):0.00} {random.Uniform(-180, 180):0.00} {random.Uniform(-6, 6):0.000} {random.Uniform(-6, 6):0.000} {random.Uniform(10000, 25000):0.0} {random.Uniform(10000, 25000):0.0} 30 1\n");
        File.WriteAllText(dir.File("particles.star"), star.ToString());
        return dir.File("particles.star");
    }

    [Fact]
    public void SecondLoadReadsTheCacheAndGivesTheSameBits()
    {
        using var dir = new TempDir();
        var table = RelionParticles.Read(WriteSet(dir));
        string cache = dir.File("cache");
        var fresh = ParticleSetLoader.Load(table, Target);

        var (first, source1, path) = ParticleCache.LoadOrCreate(table, Target, cache);
        Assert.Equal(ParticleCache.Source.Preprocessed, source1);
        Assert.True(File.Exists(path));
        Assert.Equal([path], Directory.GetFiles(cache)); // no temporaries left
        Assert.False(first.Pixels.InMemory); // preprocessed straight into the file and read from there
        var (second, source2, path2) = ParticleCache.LoadOrCreate(RelionParticles.Read(dir.File("particles.star")), Target, cache);
        Assert.Equal(ParticleCache.Source.Cache, source2);
        Assert.Equal(path, path2);
        Assert.Equal(fresh.ToArray(), first.ToArray());
        Assert.Equal(fresh.ToArray(), second.ToArray());
        Assert.Equal(fresh.Particles, second.Particles);
        Assert.Equal(fresh.Grid.CroppedBox, second.Grid.CroppedBox);
        Assert.Equal(fresh.Grid.PixelCount, second.Grid.PixelCount);
        // header + exactly the coefficients
        Assert.Equal(64 + fresh.DataBytes, new FileInfo(path).Length);
    }

    [Fact]
    public void AnotherTargetOrChangedInputsGetAnotherFile()
    {
        using var dir = new TempDir();
        string star = WriteSet(dir);
        var table = RelionParticles.Read(star);
        string cache = dir.File("cache");
        var (_, _, path) = ParticleCache.LoadOrCreate(table, Target, cache);
        var (_, source, other) = ParticleCache.LoadOrCreate(table, 12.0, cache);
        Assert.Equal(ParticleCache.Source.Preprocessed, source);
        Assert.NotEqual(path, other);

        // A changed origin in the metadata file changes the identity.
        string before = ParticleCache.Identity(table, Target);
        File.WriteAllText(star, File.ReadAllText(star).Replace("30 1\n", "31 1\n", StringComparison.Ordinal));
        Assert.NotEqual(before, ParticleCache.Identity(RelionParticles.Read(star), Target));
        File.WriteAllText(star, File.ReadAllText(star).Replace("31 1\n", "30 1\n", StringComparison.Ordinal));
        Assert.Equal(before, ParticleCache.Identity(RelionParticles.Read(star), Target));

        // Rewritten images (new stack contents, new time stamp) are new inputs: the cache is not read.
        string stack = dir.File("stack.mrcs");
        var (header, data) = MrcFile.ReadVolume(stack);
        for (int i = 0; i < data.Length; i++) data[i] = -data[i];
        MrcFile.Write(stack, data, header.Nx, header.Ny, header.Nz, Pixel, isStack: true);
        File.SetLastWriteTimeUtc(stack, File.GetLastWriteTimeUtc(stack).AddSeconds(5));
        var reread = RelionParticles.Read(star);
        var (set, again, path3) = ParticleCache.LoadOrCreate(reread, Target, cache);
        Assert.Equal(ParticleCache.Source.Preprocessed, again);
        Assert.NotEqual(path, path3);
        Assert.Equal(ParticleSetLoader.Load(reread, Target).ToArray(), set.ToArray());
    }

    [Fact]
    public void DamagedCacheIsRebuiltAndSaysSo()
    {
        using var dir = new TempDir();
        var table = RelionParticles.Read(WriteSet(dir));
        string cache = dir.File("cache");
        var (good, _, path) = ParticleCache.LoadOrCreate(table, Target, cache);
        float[] expected = good.ToArray(); // read now: the set reads its file, which is damaged in place below
        good.Dispose();
        long length = new FileInfo(path).Length;
        using (var f = new FileStream(path, FileMode.Open)) f.SetLength(length - 100); // a truncated copy
        var messages = new List<string>();
        var (set, source, _) = ParticleCache.LoadOrCreate(table, Target, cache, messages.Add);
        Assert.Equal(ParticleCache.Source.Preprocessed, source);
        Assert.Contains(messages, m => m.Contains(path, StringComparison.Ordinal) && m.Contains("bytes", StringComparison.Ordinal));
        Assert.Equal(expected, set.ToArray());
        Assert.Equal(length, new FileInfo(path).Length); // rewritten whole

        var bytes = File.ReadAllBytes(path);
        bytes[0] = (byte)'X'; // not our magic
        File.WriteAllBytes(path, bytes);
        messages.Clear();
        Assert.Equal(ParticleCache.Source.Preprocessed, ParticleCache.LoadOrCreate(table, Target, cache, messages.Add).Source);
        Assert.Contains(messages, m => m.Contains("header differs", StringComparison.Ordinal));
        Assert.Equal(ParticleCache.Source.Cache, ParticleCache.LoadOrCreate(table, Target, cache).Source);
    }

    [Fact]
    public void UnwritableCacheStillGivesTheSet()
    {
        using var dir = new TempDir();
        var table = RelionParticles.Read(WriteSet(dir));
        string blocked = dir.File("a-file");
        File.WriteAllText(blocked, "not a folder");
        var messages = new List<string>();
        var (set, source, _) = ParticleCache.LoadOrCreate(table, Target, Path.Combine(blocked, "cache"), messages.Add);
        Assert.Equal(ParticleCache.Source.Preprocessed, source);
        Assert.Equal(ParticleSetLoader.Load(table, Target).ToArray(), set.ToArray());
        Assert.True(set.Pixels.InMemory);
        Assert.Contains(messages, m => m.Contains("not written", StringComparison.Ordinal));
    }
}
