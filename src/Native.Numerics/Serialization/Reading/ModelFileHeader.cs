using System.Collections.Generic;

namespace Native.Numerics.Serialization;

/// <summary>
/// What a model file's header states, every entry checked (<see cref="ModelFileFormat.Decode"/>): plain values, so the
/// source generator, which reads model files with this same code, can hold them too.
/// </summary>
internal sealed class ModelFileHeader(
    ModelKind kind,
    int[] layerSizes,
    Activation[] activations,
    float leakyReluSlope,
    string[] classNames,
    string[] featureNames,
    string? labelName,
    float[]? means,
    float[]? deviations,
    Dictionary<string, string> properties,
    string? libraryVersion)
{
    /// <summary>The kind of model.</summary>
    public ModelKind Kind { get; } = kind;

    /// <summary>The features, each hidden layer's width, the outputs.</summary>
    public int[] LayerSizes { get; } = layerSizes;

    /// <summary>One activation per hidden layer.</summary>
    public Activation[] Activations { get; } = activations;

    /// <summary>The leaky ReLU's slope (0 for the regressions).</summary>
    public float LeakyReluSlope { get; } = leakyReluSlope;

    /// <summary>The class names in label order, or empty.</summary>
    public string[] ClassNames { get; } = classNames;

    /// <summary>The feature (column) names in input order, or empty.</summary>
    public string[] FeatureNames { get; } = featureNames;

    /// <summary>The label column's name, or null.</summary>
    public string? LabelName { get; } = labelName;

    /// <summary>A multi-output regression's label columns, one per output (<c>native.label_names</c>), or empty.</summary>
    public string[] LabelNames { get; init; } = [];

    /// <summary>The standardizer's means, or null for none.</summary>
    public float[]? Means { get; } = means;

    /// <summary>The standardizer's deviations (the divisors), or null for none.</summary>
    public float[]? Deviations { get; } = deviations;

    /// <summary>The free-form properties (the metadata outside the reserved prefix).</summary>
    public Dictionary<string, string> Properties { get; } = properties;

    /// <summary>The version of the library that wrote the file, or null.</summary>
    public string? LibraryVersion { get; } = libraryVersion;

    /// <summary>Where each layer's weights and biases lie in the parameter block.</summary>
    public ParameterLayout Layout { get; } = new ParameterLayout(layerSizes);

    /// <summary>The feature pipeline (format version 2), or null.</summary>
    public PipelineDescription? Pipeline { get; init; }

    /// <summary>How the weights are quantized (format version 3): <see cref="ModelFileKeys.Int8Calibrated"/> or <see cref="ModelFileKeys.Int8PerRow"/>; null for float weights.</summary>
    public string? Quantization { get; init; }
}
