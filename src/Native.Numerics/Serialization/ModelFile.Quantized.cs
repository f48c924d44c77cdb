using Native.Numerics.Quantization;
using Native.Numerics.Serialization;
using Native.Numerics.Serialization.Onnx;

namespace Native.Numerics;

// Saving a TrainedModel as it is: a float one as ModelFile.Save(model.Model, …, model.Metadata) would, a quantized one as an
// int8 file (format version 3; Serialization/ModelFileFormat.Quantized.cs), which ModelFile.Load reads back into a quantized TrainedModel.
public static partial class ModelFile
{
    /// <summary>
    /// Saves <paramref name="model"/> with its metadata to <paramref name="path"/>, atomically, as
    /// <see cref="Save(IModel, string, ModelMetadata?, CancellationToken)"/> does: a float model as its weights, a quantized one
    /// (<see cref="TrainedModel.IsQuantized"/>) as an int8 file — signed-byte weights with float scales, format version 3 —
    /// that <see cref="Load(string)"/> reads back into a quantized <see cref="TrainedModel"/> predicting the same bits.
    /// </summary>
    /// <param name="model">The trained model.</param>
    /// <param name="path">The file to write or replace: a calibrated quantized model ending in <c>.onnx</c> is written as QDQ ONNX (QuantizeLinear, DequantizeLinear, Gemm), which ONNX Runtime runs and <see cref="Load(string)"/> reads back into the same quantized model.</param>
    /// <param name="cancellationToken">Stops the save before it replaces the target, keeping the previous file.</param>
    /// <exception cref="ArgumentException">The model cannot be saved (a parameter not finite, outputs that cannot be finite).</exception>
    /// <exception cref="NotSupportedException">The model is quantized with per-row scales and the path ends in <c>.onnx</c> (a calibrated one is written as QDQ ONNX).</exception>
    /// <exception cref="IOException">The path is not a regular file or a new one, or the file cannot be written; the previous file is untouched.</exception>
    /// <exception cref="UnauthorizedAccessException">The file or its directory may not be written; the previous file is untouched.</exception>
    /// <exception cref="OperationCanceledException">The save was cancelled before it replaced the target; the previous file is untouched.</exception>
    public static void Save(TrainedModel model, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.QuantizedParameters is not { } quantized)
        {
            Save(model.Model, path, model.Metadata, cancellationToken);
            return;
        }

        ArgumentException.ThrowIfNullOrEmpty(path);
        ModelFormat format = FormatOf(path);
        (List<Safetensors.TensorLayout> tensors, Dictionary<string, string> entries, byte[] data) = PrepareQuantized(quantized, model.Metadata, format);
        string target = SaveTarget.Resolve(path);
        SaveTarget.Replace(target, path, file => WriteQuantized(file, model, quantized, format, tensors, entries, data), beforeReplace: null, cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="model"/> with its metadata to <paramref name="stream"/> in <paramref name="format"/>, as
    /// <see cref="Save(TrainedModel, string, CancellationToken)"/> does to a file; the stream is left open.
    /// </summary>
    /// <param name="model">The trained model.</param>
    /// <param name="stream">A writable stream.</param>
    /// <param name="format">The format to write (ONNX: QDQ form, for a calibrated quantized model).</param>
    /// <exception cref="ArgumentException">The model cannot be saved.</exception>
    /// <exception cref="NotSupportedException">The model is quantized with per-row scales and <paramref name="format"/> is ONNX.</exception>
    public static void Save(TrainedModel model, Stream stream, ModelFormat format)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        if (model.QuantizedParameters is not { } quantized)
        {
            Save(model.Model, stream, format, model.Metadata);
            return;
        }

        (List<Safetensors.TensorLayout> tensors, Dictionary<string, string> entries, byte[] data) = PrepareQuantized(quantized, model.Metadata, format);
        WriteQuantized(stream, model, quantized, format, tensors, entries, data);
    }

    private static void WriteQuantized(Stream stream, TrainedModel model, QuantizedParameters quantized, ModelFormat format, List<Safetensors.TensorLayout> tensors, Dictionary<string, string> entries, byte[] data)
    {
        if (format == ModelFormat.Onnx)
        {
            OnnxModelFile.WriteQuantized(stream, model.Model, quantized, model.Metadata, LibraryVersion);
        }
        else
        {
            Safetensors.WriteBytes(stream, tensors, entries, data);
        }
    }

    private static (List<Safetensors.TensorLayout> Tensors, Dictionary<string, string> Entries, byte[] Data) PrepareQuantized(QuantizedParameters quantized, ModelMetadata metadata, ModelFormat format)
    {
        if (format == ModelFormat.Onnx && quantized.Scaling != ActivationScaling.Calibrated)
        {
            throw new NotSupportedException("An ONNX file cannot hold a model quantized with per-row scales: save it as safetensors (an int8 file), or quantize with calibration rows.");
        }

        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown model format.");
        }

        if (ModelFileFormat.QuantizedBoundsProblem(quantized) is string problem)
        {
            throw new ArgumentException($"The model cannot be saved (it could not be loaded): {problem}.", nameof(quantized));
        }

        Dictionary<string, string> entries = ModelFileFormat.Encode(quantized.Shape, metadata, LibraryVersion);
        (List<Safetensors.TensorLayout> tensors, byte[] data) = ModelFileFormat.EncodeQuantized(quantized, entries);
        return (tensors, entries, data);
    }
}
