namespace Native.Numerics.Serialization;

/// <summary>
/// The names and limits of the model file format, where both the library and the source generator (which reads model
/// files with this same code) can see them.
/// </summary>
internal static class ModelFileKeys
{
    /// <summary>
    /// The newest format version this library writes and reads: 2, a file that keeps a feature pipeline
    /// (<see cref="PipelineKey"/>), which a library that knows only version 1 refuses rather than predict from raw columns.
    /// </summary>
    public const int FormatVersion = 2;

    /// <summary>The format version of a file without a pipeline: 1, which every version of the library reads.</summary>
    public const int PlainFormatVersion = 1;

    /// <summary>
    /// The format version of a quantized (int8) file: 3, whose weights are signed bytes with float scales
    /// (<see cref="QuantizationKey"/>), which a library that knows only versions 1 and 2 refuses rather than misread; it may keep a
    /// feature pipeline (<see cref="PipelineKey"/>), whose encoded rows the integer layers take.
    /// </summary>
    public const int QuantizedFormatVersion = 3;

    /// <summary>The version of the pipeline's own JSON object (its "version" field).</summary>
    public const int PipelineVersion = 1;

    /// <summary>The metadata prefix the format reserves.</summary>
    public const string ReservedPrefix = "native.";

    public const string FormatKey = "native.format";
    public const string LibraryVersionKey = "native.library_version";
    public const string KindKey = "native.kind";
    public const string LayerSizesKey = "native.layer_sizes";
    public const string ActivationsKey = "native.activations";
    public const string SlopeKey = "native.leaky_relu_slope";
    public const string ClassNamesKey = "native.class_names";
    public const string FeatureNamesKey = "native.feature_names";
    public const string LabelNameKey = "native.label_name";
    public const string LabelNamesKey = "native.label_names";
    public const string MeansKey = "native.standardizer.means";
    public const string DeviationsKey = "native.standardizer.standard_deviations";
    public const string PipelineKey = "native.pipeline";
    public const string QuantizationKey = "native.quantization";

    /// <summary>The values of <see cref="QuantizationKey"/>: int8 with calibrated input scales, or with each row's own.</summary>
    public const string Int8Calibrated = "int8_calibrated", Int8PerRow = "int8_per_row";

    /// <summary>The most dense layers a model may have: a bound that keeps a file's header and its checks small.</summary>
    public const int MaxLayerCount = 1024;

    /// <summary>The most tensors a dense layer has in a file: four in a quantized one (weight, weight_scale, bias, input_quantization).</summary>
    public const int MaxTensorsPerLayer = 4;
}
