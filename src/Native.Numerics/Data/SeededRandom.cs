namespace Native.Numerics;

/// <summary>
/// A small, fast pseudo-random generator whose sequence is fixed by its seed on every platform and
/// runtime version: xoshiro128** (Blackman and Vigna, 2018), seeded through SplitMix32.
/// </summary>
/// <remarks>
/// <see cref="Random"/> is avoided on purpose: its algorithm is an implementation detail that may change
/// between .NET versions, and the same seed must give bit-identical models everywhere.
/// </remarks>
internal struct SeededRandom
{
    private uint _s0, _s1, _s2, _s3;

    /// <summary>A generator whose whole sequence is determined by <paramref name="seed"/>.</summary>
    public SeededRandom(int seed)
    {
        uint state = unchecked((uint)seed);
        _s0 = SplitMix(ref state);
        _s1 = SplitMix(ref state);
        _s2 = SplitMix(ref state);
        _s3 = SplitMix(ref state);
    }

    /// <summary>
    /// A generator for one stream of <paramref name="seed"/>'s draws: the same seed and stream give the same sequence,
    /// and different streams are independent sequences. Training draws each epoch's order from stream (epoch), so a
    /// resumed run draws the orders an uninterrupted one would, without replaying the draws before it.
    /// </summary>
    public SeededRandom(int seed, long stream)
    {
        // The stream folded into the seed's SplitMix32 state: each half of the stream mixed in through a SplitMix step.
        uint state = unchecked((uint)seed);
        uint low = unchecked((uint)stream), high = unchecked((uint)(stream >> 32));
        state ^= SplitMix(ref low);
        state = SplitMix(ref state) ^ SplitMix(ref high);
        _s0 = SplitMix(ref state);
        _s1 = SplitMix(ref state);
        _s2 = SplitMix(ref state);
        _s3 = SplitMix(ref state);
    }

    /// <summary>The next 32 random bits.</summary>
    public uint NextUInt32()
    {
        uint result = RotateLeft(_s1 * 5, 7) * 9;
        uint t = _s1 << 9;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 11);
        return result;
    }

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt32(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        uint bound = (uint)maxExclusive;
        ulong product = (ulong)NextUInt32() * bound;
        uint low = (uint)product;
        if (low < bound)
        {
            uint threshold = (0u - bound) % bound;
            while (low < threshold)
            {
                product = (ulong)NextUInt32() * bound;
                low = (uint)product;
            }
        }

        return (int)(product >> 32);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble()
    {
        ulong bits = ((ulong)NextUInt32() << 21) ^ NextUInt32();
        return (bits & ((1UL << 53) - 1)) * (1.0 / (1UL << 53));
    }

    /// <summary>A standard normal deviate (Box–Muller; one of the pair is discarded for simplicity).</summary>
    public double NextNormal()
    {
        double u1 = 1.0 - NextDouble(); // in (0, 1]: the logarithm is finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt32(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    private static uint SplitMix(ref uint state)
    {
        uint z = state += 0x9E3779B9u;
        z = (z ^ (z >> 16)) * 0x85EBCA6Bu;
        z = (z ^ (z >> 13)) * 0xC2B2AE35u;
        return z ^ (z >> 16);
    }

    private static uint RotateLeft(uint value, int count) => (value << count) | (value >> (32 - count));
}
