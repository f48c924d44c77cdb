namespace Native.Numerics;

/// <summary>
/// What a model file keeps beside the weights: the names of the classes, the standardizer the inputs
/// need, and free-form properties (training settings, final metrics, provenance).
/// </summary>
/// <remarks>
/// <see cref="ModelFile"/> stores the shape, the kind and the activations itself, from the model; this
/// holds what the model cannot know. Everything is optional.
/// </remarks>
public sealed class ModelMetadata
{
    private readonly string[] _labelNames = [];

    /// <summary>The name of each class, in label order (class 0 first); empty for none, and always empty for a regression.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];

    /// <summary>
    /// The name of each feature, in the model's input order (a CSV file's header, without the label): predictions
    /// match a file's columns by these names, so a reordered file or a stray column is caught. Empty for none.
    /// </summary>
    public IReadOnlyList<string> FeatureNames { get; init; } = [];

    /// <summary>
    /// The name of the label column the model was trained on (a CSV file's header), or null: a file's column of that name
    /// is skipped when predicting. One view of <see cref="LabelNames"/>: null when that names none, or several.
    /// </summary>
    public string? LabelName
    {
        get => _labelNames is [string one] ? one : null;
        init => _labelNames = value is null ? [] : [value];
    }

    /// <summary>
    /// The names of the label columns the model was trained on: one, or for a multi-output regression one per output, in
    /// output order (its targets' columns); empty for none. A file's columns of these names are skipped when predicting,
    /// and name the values a prediction prints. Setting <see cref="LabelName"/> sets this to that one name.
    /// </summary>
    public IReadOnlyList<string> LabelNames
    {
        get => _labelNames;
        init => _labelNames = value is null ? [] : [.. value];
    }

    /// <summary>
    /// The standardizer fitted on the training data, which inputs must go through before the model; null for none. With a
    /// <see cref="Pipeline"/>, the pipeline's standardizer is the model's: leave this null (or give the same one).
    /// </summary>
    public Standardizer? Standardizer { get; init; }

    /// <summary>
    /// The feature pipeline that turns a table's raw records into the model's rows (<see cref="Table"/> fits one), or null.
    /// A file that keeps one (<c>native.pipeline</c>) is format version 2; <see cref="TrainedModel"/>s made with it predict
    /// from <see cref="TableRow"/>s. Its feature names are the model's: <see cref="FeatureNames"/> stays empty (or equal to them).
    /// </summary>
    public FeaturePipeline? Pipeline { get; init; }

    /// <summary>
    /// Free-form string properties: training settings ("learning_rate" → "0.1"), final metrics
    /// ("test_accuracy" → "0.9213"), anything else. Keys may not start with <c>native.</c>, which the
    /// file format reserves for itself.
    /// </summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
}
