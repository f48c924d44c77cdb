using Native.Numerics;

namespace Native.Tests.Serialization;

/// <summary>
/// <see cref="ModelFile.Load(string)"/> given a path that is not a model file: a directory is named as one (it threw
/// "Access to the path is denied", which reads as a matter of permissions).
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
}
