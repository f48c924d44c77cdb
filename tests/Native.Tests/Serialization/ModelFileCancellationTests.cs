using Native.Numerics;

namespace Native.Tests.Serialization;

/// <summary>
/// Issue 20, item 2: a save's outcome does not depend on when a cancellation came. One requested at any moment before
/// the temporary file replaces the target keeps the old file, removes the temporary one and throws
/// <see cref="OperationCanceledException"/>; a save whose token is never cancelled replaces the file.
/// </summary>
public sealed class ModelFileCancellationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "native-cancel-" + Guid.NewGuid().ToString("N"));

    public ModelFileCancellationTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static SoftmaxRegression Model(float value)
    {
        var model = new SoftmaxRegression(3, 2);
        model.Parameters.Fill(value);
        return model;
    }

    private string[] Files() => [.. Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Theory]
    [InlineData("m.safetensors")]
    [InlineData("m.onnx")]
    public void ACancellationAfterTheFileIsWrittenButBeforeTheRenameKeepsTheOldFile(string name)
    {
        string path = Path.Combine(_directory, name);
        ModelFile.Save(Model(1f), path);
        byte[] before = File.ReadAllBytes(path);
        using var cancellation = new CancellationTokenSource();
        string? temporary = null;

        // The last moment before the rename: the new file is written and flushed, then Ctrl+C.
        Assert.Throws<OperationCanceledException>(() => ModelFile.Save(Model(2f), path, ModelFile.FormatOf(path), null, beforeReplace: written =>
        {
            temporary = written;
            cancellation.Cancel();
        }, cancellation.Token));

        Assert.NotNull(temporary);
        Assert.False(File.Exists(temporary));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([name], Files());
    }

    [Fact]
    public void ASaveCancelledBeforeItStartsWritesNothing()
    {
        string path = Path.Combine(_directory, "m.safetensors");
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        Assert.Throws<OperationCanceledException>(() => ModelFile.Save(Model(1f), path, cancellationToken: cancellation.Token));
        Assert.Empty(Files());
    }

    [Fact]
    public void AnUncancelledTokenSavesAsWithoutOne()
    {
        string path = Path.Combine(_directory, "m.safetensors"), plain = Path.Combine(_directory, "plain.safetensors");
        using var cancellation = new CancellationTokenSource();
        ModelFile.Save(Model(3f), path, cancellationToken: cancellation.Token);
        ModelFile.Save(Model(3f), plain);
        Assert.Equal(File.ReadAllBytes(plain), File.ReadAllBytes(path));
    }
}
