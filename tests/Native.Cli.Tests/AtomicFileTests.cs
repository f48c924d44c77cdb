using Native.Cli.Output;

namespace Native.Cli.Tests;

/// <summary>
/// Issue 20: plots were not written atomically (a full disk left a truncated PNG). Now a failed write leaves the old
/// file as it was, or none, and no temporary file; and its error names the file asked for.
/// </summary>
public class AtomicFileTests
{
    [Fact]
    public void AWriteThatFailsHalfwayLeavesTheOldFileAndNoTemporaryOne()
    {
        string directory = Cli.TemporaryDirectory();
        string path = Path.Combine(directory, "loss.svg");
        File.WriteAllText(path, "the old picture");

        IOException error = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("<svg>half a pic"u8);
            throw new IOException("No space left on device");
        }));

        Assert.Equal($"Cannot write '{path}': No space left on device", error.Message);
        Assert.Equal("the old picture", File.ReadAllText(path));
        Assert.Equal(["loss.svg"], Directory.GetFiles(directory).Select(Path.GetFileName));
    }

    [Fact]
    public void AWriteThatSucceedsReplacesTheFile()
    {
        string directory = Cli.TemporaryDirectory();
        string path = Path.Combine(directory, "weights-class-0.png");
        File.WriteAllText(path, "old");
        Png.Write(path, 1, 1, [255, 0, 0]);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(path)[..4]);
        Assert.Single(Directory.GetFiles(directory));
    }
}
