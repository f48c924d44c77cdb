using FsCheck;
using FsCheck.Fluent;
using Native.Numerics;

namespace Native.Tests.Data.Tables;

/// <summary>
/// The chunked list of a column as it is read: every value where it was added, through the first chunk's doublings
/// (16 values, 32, … 16,384) and the full chunks after; each chunk as <see cref="ChunkedList{T}.Chunk(int)"/> gives it;
/// and a short list's bytes those of what it holds, not a full chunk's.
/// </summary>
public sealed class ChunkedListTests
{
    [Fact]
    public void EveryCountKeepsEveryValue()
    {
        Prop.ForAll(Gen.Choose(0, (3 * ChunkedList<int>.ChunkLength) + 50).ToArbitrary(), count =>
        {
            var list = new ChunkedList<int>();
            for (int i = 0; i < count; i++)
            {
                list.Add((i * 7) + 1);
            }

            Assert.Equal(count, list.Count);
            Assert.Equal((count + ChunkedList<int>.ChunkLength - 1) / ChunkedList<int>.ChunkLength, list.Chunks);
            int at = 0;
            for (int chunk = 0; chunk < list.Chunks; chunk++)
            {
                foreach (int value in list.Chunk(chunk))
                {
                    Assert.Equal((at * 7) + 1, value);
                    Assert.Equal(value, list[at]);
                    at++;
                }
            }

            Assert.Equal(count, at);
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 16 * 4)]
    [InlineData(16, 16 * 4)]
    [InlineData(17, 32 * 4)]
    [InlineData(5000, 8192 * 4)]
    [InlineData(16384, 16384 * 4)]
    [InlineData(16385, 2 * 16384 * 4)]
    public void AShortListTakesWhatItHolds(int count, long bytes)
    {
        var list = new ChunkedList<float>();
        for (int i = 0; i < count; i++)
        {
            list.Add(i);
        }

        Assert.Equal(bytes, list.Bytes);
    }
}
