using Native.Numerics;

namespace Native.Tests.Serialization;

/// <summary>
/// <see cref="ModelFile.Load(string)"/> given a path that is not a model file: a directory is named as one (it threw
/// "Access to the path is denied", which reads as a matter of permissions), and a text file named in place of the model
/// is quoted as text, where the error spoke only of a header length of 3 × 10¹⁸ bytes.
/// </summary>
public sealed class ModelFileWrongFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("native-wrong-file-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ADirectoryIsNamedAsOne()
    {
        var error = Assert.Throws<FileNotFoundException>(() => ModelFile.Load(_directory));
        Assert.Equal($"'{_directory}' is a directory; a model is loaded from a file (a .safetensors or .onnx file inside it).", error.Message);
        Assert.Equal(_directory, error.FileName);
        Assert.Throws<FileNotFoundException>(() => ModelFile.Load(_directory, ModelFormat.Onnx));
    }

    [Fact]
    public void ACsvFileNamedAsTheModelIsQuotedAsText()
    {
        string path = Path.Combine(_directory, "rows.safetensors");
        File.WriteAllText(path, "a,b,y\r\n1,2,0\n");
        var error = Assert.Throws<FileFormatException>(() => ModelFile.Load(path));
        Assert.Equal($"'{path}', byte 0: the header length field says {BitConverter.ToUInt64("a,b,y\r\n1"u8)} bytes, beyond the end of the file: only 5 bytes follow it. The file starts with text ('a,b,y\\r\\n1…'), not a model: is it a data file named in place of the model file?", error.Message);
        Assert.DoesNotContain('\n', error.Message);

        // A long one: past the 100 MB limit, seekable or not.
        File.WriteAllText(path, "pixel0,pixel1,pixel2\n" + new string('7', 300));
        Assert.Contains("not one this library reads. The file starts with text ('pixel0,p…')", Assert.Throws<FileFormatException>(() => ModelFile.Load(new NonSeekable(File.ReadAllBytes(path)), ModelFormat.Safetensors)).Message, StringComparison.Ordinal);

        // Bytes that are not text say nothing of text.
        File.WriteAllBytes(path, [0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0xFA, 0xF9, 0xF8, 1, 2]);
        Assert.DoesNotContain("starts with text", Assert.Throws<FileFormatException>(() => ModelFile.Load(path)).Message, StringComparison.Ordinal);
    }

    private sealed class NonSeekable(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}
