using System.Globalization;
using System.Runtime.CompilerServices;
using Native.Numerics.CompilerServices;

namespace Native.Numerics;

/// <summary>
/// A trained model with what travels beside its weights — class names, feature names, the label's name, the
/// standardizer, properties — ready to predict from rows as they come: what <see cref="ModelFile.Load(string)"/>
/// returns, and what a program builds around a model it has just trained to predict from raw rows or save.
/// </summary>
/// <remarks>
/// <para>
/// Its predictions take raw rows, in the units of the training data: the standardizer saved with the model, if any,
/// is applied inside, allocation-free and thread-safe, so a caller never needs to know one exists. They run on
/// <see cref="Model"/>'s own parameters (a change to them, by further training, is seen here). <see cref="Model"/>
/// itself takes rows as the model saw them in training, standardized.
/// </para>
/// <para>
/// A model trained on a table travels with its <see cref="FeaturePipeline"/> (<see cref="Pipeline"/>): it predicts from a
/// <see cref="TableRow"/> (<see cref="CreateRow"/>) — numbers, categories, blanks, values never seen — encoded and
/// standardized inside, with no allocation, bit for bit as <see cref="FeaturePipeline.Transform"/> followed by
/// <see cref="Model"/>'s prediction (for a quantized model, <see cref="IsQuantized"/>: the pipeline in floats, then the
/// integer layers on the encoded row). When every column of the pipeline is a number, the float-span calls stay: a row is
/// one value per number column, in column order, NaN for missing (imputed); with categories they are refused.
/// </para>
/// <para>
/// A trained model is a classifier or a regressor, as <see cref="Task"/> says; it answers both vocabularies
/// (<see cref="IClassifier"/>, <see cref="IRegressor"/>) because the file decides which, and the calls of the other
/// throw <see cref="NotSupportedException"/>. A model compiled into the program from the same file
/// (<see cref="GeneratedModelAttribute"/>) predicts the same bits, through calls of the same names.
/// </para>
/// </remarks>
public partial class TrainedModel : IClassifier, IRegressor
{
    private readonly ModelRuntime? _predictor;
    private readonly string[] _classNames;
    private readonly FeaturePipeline? _pipeline;

    /// <summary>
    /// <paramref name="model"/> with <paramref name="metadata"/>: its predictions then take raw rows through the
    /// metadata's standardizer, and name classes by its class names.
    /// </summary>
    /// <param name="model">The model; it is not copied (predictions see its parameters as they change).</param>
    /// <param name="metadata">What travels with it, or null for nothing.</param>
    /// <exception cref="ArgumentException">The metadata do not fit the model: a standardizer or pipeline of another feature count, class names not one per class, or a standardizer beside a pipeline that has another.</exception>
    public TrainedModel(IModel model, ModelMetadata? metadata = null)
        : this(model, metadata ?? new ModelMetadata(), libraryVersion: null)
    {
    }

    private protected TrainedModel(IModel model, ModelMetadata metadata, string? libraryVersion)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        UntypedModel = model;
        Metadata = metadata;
        LibraryVersion = libraryVersion;
        int classes = model.Shape.Classes;
        if (metadata.ClassNames.Count != 0 && metadata.ClassNames.Count != classes)
        {
            throw new ArgumentException($"The metadata name {metadata.ClassNames.Count} classes; the model {model.Shape} has {classes}.", nameof(metadata));
        }

        if (metadata.LabelNames.Count > 1 && (model.Task != ModelTask.Regression || metadata.LabelNames.Count != model.Outputs))
        {
            throw new ArgumentException($"The metadata name {metadata.LabelNames.Count} label columns; the model {model.Shape} has one label{(model.Task == ModelTask.Regression ? $" per output ({model.Outputs})" : string.Empty)}.", nameof(metadata));
        }

        _pipeline = metadata.Pipeline;
        Standardizer? standardizer = PipelineStandardizer(model, metadata);

        // Every model of the library and every generated one runs on a runtime; the predictor shares its parameters.
        _predictor = (model as IModelRuntimeOwner)?.Runtime.WithStandardizer(standardizer);
        _classNames = metadata.ClassNames.Count == classes
            ? [.. metadata.ClassNames]
            : Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>
    /// The model: for <see cref="ModelFile.Load(string)"/>, a new run-time-shaped model of the file's kind
    /// (<see cref="LinearRegression"/>, <see cref="LogisticRegression"/>, <see cref="SoftmaxRegression"/>,
    /// <see cref="MultilayerPerceptron"/> or <see cref="MultilayerPerceptronRegressor"/>); for a typed load, the model it filled. It takes rows as training did
    /// (standardized, when there is a standardizer); this object's predictions take raw rows.
    /// </summary>
    public IModel Model => UntypedModel;

    /// <inheritdoc/>
    public ModelShape Shape => UntypedModel.Shape;

    /// <inheritdoc/>
    public ModelTask Task => UntypedModel.Task;

    /// <summary>
    /// The number of floats in a row of the float-span calls: the model's features; with a <see cref="Pipeline"/> of numbers
    /// only, one per number column; with a pipeline that has categories (whose span calls are refused), the model's features.
    /// </summary>
    public int Features => _pipeline is { HasCategories: false } ? _pipeline.NumberColumns : UntypedModel.Features;

    /// <inheritdoc/>
    public int Outputs => UntypedModel.Outputs;

    /// <summary>The number of classes: 0 for a regression, 2 for a logistic regression, else <see cref="Outputs"/>.</summary>
    public int Classes => Shape.Classes;

    /// <summary>The name of each class, in label order; empty when none were saved (see <see cref="PredictClassName(ReadOnlySpan{float})"/>).</summary>
    public IReadOnlyList<string> ClassNames => Metadata.ClassNames;

    /// <summary>
    /// The name of each of the model's features, in input order: the saved ones (<see cref="ModelMetadata.FeatureNames"/>), or
    /// the pipeline's (<c>income</c>, <c>grade=B</c>…; its columns are <see cref="FeaturePipeline.Columns"/>); empty when none.
    /// </summary>
    public IReadOnlyList<string> FeatureNames => Metadata.FeatureNames.Count > 0 ? Metadata.FeatureNames : _pipeline?.FeatureNames ?? [];

    /// <summary>The name of the label column the model was trained on, or null (none saved, or several: see <see cref="LabelNames"/>).</summary>
    public string? LabelName => Metadata.LabelName;

    /// <summary>The names of the label columns the model was trained on: one, or one per output of a multi-output regression; empty when none were saved.</summary>
    public IReadOnlyList<string> LabelNames => Metadata.LabelNames;

    /// <summary>The standardizer the encoded rows go through (the pipeline's, when there is one), or null when there is none.</summary>
    public Standardizer? Standardizer => Metadata.Standardizer ?? _pipeline?.Standardizer;

    /// <summary>The feature pipeline that turns a table's records into the model's rows, or null (the model takes float rows).</summary>
    public FeaturePipeline? Pipeline => _pipeline;

    /// <summary>The free-form properties saved with the model: training settings, final metrics and the like.</summary>
    public IReadOnlyDictionary<string, string> Properties => Metadata.Properties;

    /// <summary>Class names, column names, standardizer and properties together: pass them to <see cref="ModelFile.Save(IModel, string, ModelMetadata?, CancellationToken)"/> to write the same file again.</summary>
    public ModelMetadata Metadata { get; }

    /// <summary>The version of the library that wrote the file, as the file states it, or null if it does not say (or no file was read).</summary>
    public string? LibraryVersion { get; }

    private protected IModel UntypedModel { get; }

    private ModelRuntime Predictor => _predictor ?? throw new NotSupportedException($"The model {UntypedModel.GetType()} does not run on the library's runtime: transform rows with {nameof(Standardizer)} and call the model itself.");

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The model is a regression, or its pipeline has categories (use <see cref="CreateRow"/>).</exception>
    [SkipLocalsInit]
    public int PredictClass(ReadOnlySpan<float> row)
    {
        if (_quantizedRaw is not null)
        {
            return _quantizedRaw.PredictClass(row);
        }

        if (_pipeline is null)
        {
            return Predictor.PredictClass(row);
        }

        Span<float> x = EncodedWidth <= StackFeatures ? stackalloc float[StackFeatures] : Scratch();
        Span<float> encoded = EncodeNumbers(row, x);
        return _quantized is null ? Predictor.PredictClass(encoded) : _quantized.PredictClass(encoded);
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The model is a regression, or its pipeline has categories (use <see cref="CreateRow"/>).</exception>
    [SkipLocalsInit]
    public bool TryPredictClass(ReadOnlySpan<float> row, out int predictedClass)
    {
        if (_quantizedRaw is not null)
        {
            return _quantizedRaw.TryPredictClass(row, out predictedClass);
        }

        if (_pipeline is null)
        {
            return Predictor.TryPredictClass(row, out predictedClass);
        }

        Span<float> x = EncodedWidth <= StackFeatures ? stackalloc float[StackFeatures] : Scratch();
        Span<float> encoded = EncodeNumbers(row, x);
        return _quantized is null ? Predictor.TryPredictClass(encoded, out predictedClass) : _quantized.TryPredictClass(encoded, out predictedClass);
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The model is a regression, or its pipeline has categories (use <see cref="CreateRow"/>).</exception>
    [SkipLocalsInit]
    public void PredictClasses(ReadOnlySpan<float> rows, Span<int> classes)
    {
        if (_quantizedRaw is not null)
        {
            _quantizedRaw.PredictClasses(rows, classes);
            return;
        }

        if (_pipeline is null)
        {
            Predictor.PredictClasses(rows, classes);
            return;
        }

        int count = PipelineRows(rows.Length, classes.Length, 1, nameof(classes));
        Span<float> x = EncodedWidth <= StackFeatures ? stackalloc float[StackFeatures] : Scratch();
        for (int i = 0; i < count; i++)
        {
            Span<float> encoded = EncodeNumbers(rows.Slice(i * Features, Features), x);
            classes[i] = _quantized is null ? Predictor.PredictClass(encoded) : _quantized.PredictClass(encoded);
        }
    }

    /// <summary>The name of the predicted class of one raw row (its label as text when no class names were saved); allocates nothing.</summary>
    /// <exception cref="ArgumentException">The row's length is not <see cref="Features"/>, or its outputs are not finite (<see cref="PredictionPolicy"/>).</exception>
    /// <exception cref="NotSupportedException">The model is a regression, or its pipeline has categories (use <see cref="CreateRow"/>).</exception>
    public string PredictClassName(ReadOnlySpan<float> row) => _classNames[PredictClass(row)];

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The model is a regression, or its pipeline has categories (use <see cref="CreateRow"/>).</exception>
    [SkipLocalsInit]
    public void PredictProbabilities(ReadOnlySpan<float> rows, Span<float> probabilities)
    {
        if (_quantizedRaw is not null)
        {
            _quantizedRaw.PredictProbabilities(rows, probabilities);
            return;
        }

        if (_pipeline is null)
        {
            Predictor.PredictProbabilities(rows, probabilities);
            return;
        }

        int width = Math.Max(Classes, 1);
        int count = PipelineRows(rows.Length, probabilities.Length, width, nameof(probabilities));
        Span<float> x = EncodedWidth <= StackFeatures ? stackalloc float[StackFeatures] : Scratch();
        for (int i = 0; i < count; i++)
        {
            PredictProbabilitiesEncoded(EncodeNumbers(rows.Slice(i * Features, Features), x), probabilities.Slice(i * width, width));
        }
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The model is a classifier, predicts several values a row, or its pipeline has categories (use <see cref="CreateRow"/>).</exception>
    [SkipLocalsInit]
    public float PredictValue(ReadOnlySpan<float> row)
    {
        if (_quantizedRaw is not null)
        {
            return _quantizedRaw.PredictValue(row);
        }

        if (_pipeline is null)
        {
            return Predictor.PredictValue(row);
        }

        Span<float> x = EncodedWidth <= StackFeatures ? stackalloc float[StackFeatures] : Scratch();
        Span<float> encoded = EncodeNumbers(row, x);
        return _quantized is null ? Predictor.PredictValue(encoded) : _quantized.PredictValue(encoded);
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The model is a classifier, predicts several values a row, or its pipeline has categories (use <see cref="CreateRow"/>).</exception>
    [SkipLocalsInit]
    public bool TryPredictValue(ReadOnlySpan<float> row, out float value)
    {
        if (_quantizedRaw is not null)
        {
            return _quantizedRaw.TryPredictValue(row, out value);
        }

        if (_pipeline is null)
        {
            return Predictor.TryPredictValue(row, out value);
        }

        Span<float> x = EncodedWidth <= StackFeatures ? stackalloc float[StackFeatures] : Scratch();
        Span<float> encoded = EncodeNumbers(row, x);
        return _quantized is null ? Predictor.TryPredictValue(encoded, out value) : _quantized.TryPredictValue(encoded, out value);
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The model is a classifier, or its pipeline has categories (use <see cref="CreateRow"/>).</exception>
    [SkipLocalsInit]
    public void PredictValues(ReadOnlySpan<float> rows, Span<float> values)
    {
        if (_quantizedRaw is not null)
        {
            _quantizedRaw.PredictValues(rows, values);
            return;
        }

        if (_pipeline is null)
        {
            Predictor.PredictValues(rows, values);
            return;
        }

        int width = Outputs;
        int count = PipelineRows(rows.Length, values.Length, width, nameof(values));
        Span<float> x = EncodedWidth <= StackFeatures ? stackalloc float[StackFeatures] : Scratch();
        for (int i = 0; i < count; i++)
        {
            PredictValuesEncoded(EncodeNumbers(rows.Slice(i * Features, Features), x), values.Slice(i * width, width));
        }
    }
}

/// <summary>A trained model of type <typeparamref name="TModel"/>, as a typed load of <see cref="ModelFile"/> returns it.</summary>
/// <typeparam name="TModel">The model's type.</typeparam>
public sealed class TrainedModel<TModel> : TrainedModel
    where TModel : IModel
{
    /// <summary><paramref name="model"/> with <paramref name="metadata"/>, as <see cref="TrainedModel(IModel, ModelMetadata?)"/>.</summary>
    /// <exception cref="ArgumentException">The metadata do not fit the model.</exception>
    public TrainedModel(TModel model, ModelMetadata? metadata = null)
        : this(model, metadata ?? new ModelMetadata(), libraryVersion: null)
    {
    }

    internal TrainedModel(TModel model, ModelMetadata metadata, string? libraryVersion)
        : base(model, metadata, libraryVersion)
    {
        Model = model;
    }

    /// <summary>The model the file's weights were loaded into.</summary>
    public new TModel Model { get; }
}
