namespace Native.Numerics;

/// <summary>The file formats <see cref="ModelFile"/> reads and writes.</summary>
/// <remarks>
/// A path chooses its format by its extension (<see cref="ModelFile.FormatOf"/>): <c>.onnx</c>, in any case, is ONNX;
/// anything else is safetensors. A stream has no name to go by, so every call on a stream takes a format.
/// </remarks>
public enum ModelFormat
{
    /// <summary>safetensors: the weights as raw float tensors after a JSON header, with the library's metadata in it.</summary>
    Safetensors = 0,

    /// <summary>ONNX: an opset-17 graph ONNX Runtime runs, the metadata in <c>metadata_props</c>.</summary>
    Onnx = 1,
}
