using FsCheck;
using FsCheck.Fluent;
using Native.Numerics.Streaming;
using Native.Tests.Support;

namespace Native.Tests.Streaming;

/// <summary>The row cache's CRC-32C: three interleaved chains joined give the one chain's value, for any length and start.</summary>
public sealed class ChecksumTests
{
    [Fact]
    public void TheOneChainIsCrc32C()
    {
        // CRC-32C's check value (with the usual inversions before and after): "123456789" → 0xE3069283.
        Assert.Equal(0xE3069283u, ~RowCacheLayout.ChecksumInOneChain("123456789"u8, 0xFFFFFFFF));
    }

    [Fact]
    public void InterleavedChainsJoinToTheOneChainsValue()
    {
        Gen<(int Length, int Seed, uint Start)> cases =
            from length in Gen.OneOf(Gen.Choose(0, 64), Gen.Choose(1_500, 1_600), Gen.Choose(0, 300_000))
            from seed in Gen.Choose(0, int.MaxValue)
            from start in Gen.Choose(int.MinValue, int.MaxValue)
            select (length, seed, (uint)start);
        Properties.ForAll(cases, c =>
        {
            byte[] bytes = new byte[c.Length];
            new Random(c.Seed).NextBytes(bytes);
            Assert.Equal(RowCacheLayout.ChecksumInOneChain(bytes, c.Start), RowCacheLayout.Checksum(bytes, c.Start));
        });
    }

    [Fact]
    public void AFlippedBitChangesTheChecksum()
    {
        byte[] bytes = new byte[100_000];
        new Random(3).NextBytes(bytes);
        uint whole = RowCacheLayout.Checksum(bytes);
        foreach (int at in new[] { 0, 33_332, 33_336, 66_671, 99_999 })
        {
            bytes[at] ^= 0x10;
            Assert.NotEqual(whole, RowCacheLayout.Checksum(bytes));
            bytes[at] ^= 0x10;
        }
    }
}
