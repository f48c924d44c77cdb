namespace Native.Generators.Model;

/// <summary>
/// A <c>[GeneratedModel("path")]</c> attribute as the parser read it: the class to complete and the file it names, or
/// the diagnostics that say why there is none. Plain values, so an unrelated edit compares equal and is cached.
/// </summary>
internal readonly record struct FileModelTarget(
    string Namespace,
    EquatableArray<TypeDeclaration> ContainingTypes,
    string TypeName,
    string Path,
    LocationInfo? Location,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>One of the project's AdditionalFiles: its full path, and its size and last write time, which change when the file does.</summary>
internal readonly record struct AdditionalFile(string Path, long Length, long LastWriteTicks, bool Readable);

/// <summary>
/// Everything the emitter needs to compile a trained model into a static class: the class, the file's name for the
/// remarks, the model's kind and layers, and its numbers — every parameter, the standardizer, the class names.
/// </summary>
/// <param name="Namespace">The class's namespace, or empty.</param>
/// <param name="ContainingTypes">The types it is nested in, outermost first.</param>
/// <param name="TypeName">The class's name.</param>
/// <param name="FilePath">The model file as the attribute names it.</param>
/// <param name="Kind">The model's kind.</param>
/// <param name="LayerSizes">The features, the hidden widths, the outputs.</param>
/// <param name="Activations">One activation per hidden layer, as <see cref="HiddenActivation"/> values.</param>
/// <param name="LeakyReluSlope">The leaky ReLU's slope.</param>
/// <param name="Parameters">All parameters in the library's layout: for each layer W (outputs × inputs, row-major), then b.</param>
/// <param name="Means">The standardizer's means, or empty for none.</param>
/// <param name="Deviations">The standardizer's deviations, or empty for none.</param>
/// <param name="ClassNames">The class names, or empty.</param>
/// <param name="RowColumns">The columns of the file's feature pipeline that the model reads, in file order, or empty when the file has no pipeline (the model takes rows of floats).</param>
/// <param name="MissingTokens">The pipeline's tokens that mean "missing" besides a blank value.</param>
/// <param name="LabelNames">The label column (or a multi-output regression's target columns) the file names, or empty.</param>
/// <param name="FeatureNames">The names of the model's features: the file's, or with a pipeline the features it writes; or empty.</param>
/// <param name="Quantized">For an int8 file (format version 3), its integer layers, and <paramref name="Parameters"/> empty; null for a float file.</param>
internal readonly record struct FileModelSpec(
    string Namespace,
    EquatableArray<TypeDeclaration> ContainingTypes,
    string TypeName,
    string FilePath,
    ModelKind Kind,
    EquatableArray<int> LayerSizes,
    EquatableArray<int> Activations,
    float LeakyReluSlope,
    EquatableArray<float> Parameters,
    EquatableArray<float> Means,
    EquatableArray<float> Deviations,
    EquatableArray<string> ClassNames,
    EquatableArray<RowColumnSpec> RowColumns,
    EquatableArray<string> MissingTokens,
    EquatableArray<string> LabelNames,
    EquatableArray<string> FeatureNames,
    QuantizedFileSpec? Quantized = null)
{
    /// <summary>Whether the file keeps a feature pipeline: then the class has a typed row.</summary>
    public bool HasRow => RowColumns.Count > 0;

    /// <summary>The class's name with its containing types and namespace, for file names.</summary>
    public string FullName
    {
        get
        {
            string name = TypeName;
            for (int i = ContainingTypes.Count - 1; i >= 0; i--)
            {
                name = ContainingTypes[i].Name + "." + name;
            }

            return Namespace.Length == 0 ? name : Namespace + "." + name;
        }
    }
}

/// <summary>
/// The integer layers of an int8 file, as it holds them, layer after layer: the weights as signed bytes (each layer's
/// outputs × inputs, row-major), a scale per output row, the biases, and each layer's input scale and zero point.
/// </summary>
/// <param name="PerRow">Whether each row's input bytes take that row's own range (<c>int8_per_row</c>) rather than the calibrated scales (<c>int8_calibrated</c>).</param>
/// <param name="Weights">Every layer's <c>layers.{l}.weight</c>, layer after layer.</param>
/// <param name="WeightScales">Every layer's <c>layers.{l}.weight_scale</c>, layer after layer.</param>
/// <param name="Biases">Every layer's <c>layers.{l}.bias</c>, layer after layer.</param>
/// <param name="InputQuantization">Every layer's <c>layers.{l}.input_quantization</c>: its input scale and zero point.</param>
internal readonly record struct QuantizedFileSpec(
    bool PerRow,
    EquatableArray<sbyte> Weights,
    EquatableArray<float> WeightScales,
    EquatableArray<float> Biases,
    EquatableArray<float> InputQuantization);

/// <summary>What reading a file for a target gives: a spec to emit, or diagnostics.</summary>
internal readonly record struct FileModelResult(FileModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
