using System.Runtime.CompilerServices;

namespace SweepLab.Core.Random;

/// <summary>
/// Counter-based random numbers: every value is a pure function of (seed, stream, index, draw), so particle i gets
/// the same numbers however the work is batched, ordered or split between CPU and GPU. The generator is
/// Philox4x32-10 (Salmon et al., SC'11, "Parallel random numbers: as easy as 1, 2, 3"; the Random123 and cuRAND
/// generator), checked against Random123's published known-answer vectors.
/// </summary>
/// <remarks>
/// Mapping onto Philox: key = (seed low 32 bits, seed high 32 bits); counter = (index low 32 bits, index high 32 bits,
/// draw, stream). One block gives four 32-bit words; <see cref="NextUInt64"/> returns words 0 and 1, and the normal
/// deviate uses all four. The functions are static, allocation-free and branch-light so a kernel can call them.
/// A value of <see cref="NextUInt64"/>, <see cref="NextDouble"/> and <see cref="NextNormal"/> at the same
/// (seed, stream, index, draw) come from the same block: give each use its own draw (or stream) number.
/// </remarks>
public static class CounterRng
{
    private const uint M0 = 0xD2511F53u;
    private const uint M1 = 0xCD9E8D57u;
    private const uint W0 = 0x9E3779B9u;
    private const uint W1 = 0xBB67AE85u;

    /// <summary>2^-53: the spacing of doubles in [0.5, 1), so (x &gt;&gt; 11) * 2^-53 is exact.</summary>
    private const double TwoPowMinus53 = 1.0 / 9007199254740992.0;

    /// <summary>One Philox4x32-10 block: ten rounds of the counter under the key (Random123's philox4x32_R(10, ...)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Philox4x32x10(
        uint c0, uint c1, uint c2, uint c3, uint k0, uint k1,
        out uint r0, out uint r1, out uint r2, out uint r3)
    {
        for (int round = 0; round < 10; round++)
        {
            if (round > 0)
            {
                k0 += W0;
                k1 += W1;
            }
            ulong p0 = (ulong)M0 * c0;
            ulong p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
            uint n1 = (uint)p1;
            uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            uint n3 = (uint)p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        }
        r0 = c0; r1 = c1; r2 = c2; r3 = c3;
    }

    /// <summary>The Philox block keyed by <paramref name="seed"/> at counter (index, draw, stream).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block(ulong seed, uint stream, ulong index, uint draw,
        out uint r0, out uint r1, out uint r2, out uint r3)
        => Philox4x32x10((uint)index, (uint)(index >> 32), draw, stream, (uint)seed, (uint)(seed >> 32),
            out r0, out r1, out r2, out r3);

    /// <summary>A uniformly distributed 64-bit value (words 0 and 1 of the block, word 1 high).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong NextUInt64(ulong seed, uint stream, ulong index, uint draw)
    {
        Block(seed, stream, index, draw, out uint r0, out uint r1, out _, out _);
        return ((ulong)r1 << 32) | r0;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits (the top 53 bits of <see cref="NextUInt64"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double NextDouble(ulong seed, uint stream, ulong index, uint draw)
        => (NextUInt64(seed, stream, index, draw) >> 11) * TwoPowMinus53;

    /// <summary>
    /// A uniform integer in [0, <paramref name="exclusiveBound"/>) by the 64x64-bit multiply-high map
    /// floor(x * bound / 2^64); its bias is at most bound / 2^64 (below 1e-9 for any 32-bit bound), and it needs
    /// no rejection loop, so every call costs exactly one block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong NextBelow(ulong seed, uint stream, ulong index, uint draw, ulong exclusiveBound)
        => Math.BigMul(NextUInt64(seed, stream, index, draw), exclusiveBound, out _);

    /// <summary>
    /// A standard normal deviate by Box-Muller from the block's two 64-bit halves: u1 = (a + 1) 2^-53 in (0, 1]
    /// (never 0, so the logarithm is finite), u2 = b 2^-53 in [0, 1); z = sqrt(-2 ln u1) cos(2 pi u2).
    /// </summary>
    public static double NextNormal(ulong seed, uint stream, ulong index, uint draw)
    {
        NextNormalPair(seed, stream, index, draw, out double z0, out _);
        return z0;
    }

    /// <summary>Both Box-Muller deviates of one block: z0 = r cos(2 pi u2), z1 = r sin(2 pi u2), independent N(0, 1).</summary>
    public static void NextNormalPair(ulong seed, uint stream, ulong index, uint draw, out double z0, out double z1)
    {
        Block(seed, stream, index, draw, out uint r0, out uint r1, out uint r2, out uint r3);
        ulong a = ((ulong)r1 << 32) | r0;
        ulong b = ((ulong)r3 << 32) | r2;
        double u1 = ((a >> 11) + 1) * TwoPowMinus53;
        double u2 = (b >> 11) * TwoPowMinus53;
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        (double sin, double cos) = Math.SinCos(2.0 * Math.PI * u2);
        z0 = radius * cos;
        z1 = radius * sin;
    }
}
