using System.Runtime.InteropServices;
using Native.Numerics;
using Native.Numerics.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Streaming;

/// <summary>The window loader's copy of whole lines (non-temporal where the width has it): the bytes, at every width.</summary>
public sealed class CopyLinesTests
{
    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void LinesAreCopiedExactlyAndNothingElse(string width)
    {
        // An unaligned source; lines 1 to 3 of an aligned destination, the lines around them left as they were.
        byte[] source = new byte[(4 * 64) + 7];
        new Random(2).NextBytes(source);
        var destination = new AlignedBuffer(5 * 64 / sizeof(float));
        Span<byte> bytes = MemoryMarshal.AsBytes(destination.Span);
        bytes.Fill(0xEE);
        WindowLoader.CopyLines(ref source[7], ref bytes[64], 3 * 64, Widths.Parse(width));
        Assert.Equal(source.AsSpan(7, 3 * 64).ToArray(), bytes.Slice(64, 3 * 64).ToArray());
        Assert.All(bytes[..64].ToArray(), b => Assert.Equal(0xEE, b));
        Assert.All(bytes[(4 * 64)..].ToArray(), b => Assert.Equal(0xEE, b));
    }
}
