using System.Globalization;
using Native.Numerics.CompilerServices;

namespace Native.Numerics;

/// <summary>A model read from a file by <see cref="ModelFile"/>, with what the file keeps beside its weights.</summary>
/// <remarks>
/// <para>
/// The prediction methods here take raw rows, in the units of the training data: the standardizer saved with the model,
/// if any, is applied inside, allocation-free and thread-safe, so a caller never needs to know one exists. They run on
/// <see cref="Model"/>'s own parameters (a change to them, by further training, is seen here). <see cref="Model"/> itself
/// takes rows as the model saw them in training, standardized.
/// </para>
/// <para>
/// A model compiled into the program from the same file (<see cref="GeneratedModelAttribute"/>) predicts the same bits.
/// </para>
/// </remarks>
public class LoadedModel
{
    private readonly ModelRuntime? _predictor;
    private readonly string[] _classNames;

    private protected LoadedModel(IModel model, ModelMetadata metadata, string? libraryVersion)
    {
        UntypedModel = model;
        Metadata = metadata;
        LibraryVersion = libraryVersion;

        // Every model of the library and every generated one runs on a runtime; the predictor shares its parameters.
        _predictor = (model as IModelRuntimeOwner)?.Runtime.WithStandardizer(metadata.Standardizer);
        int classes = model.Shape.Classes;
        _classNames = metadata.ClassNames.Count == classes
            ? [.. metadata.ClassNames]
            : Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>
    /// The model: for <see cref="ModelFile.Load(string)"/>, a new run-time-shaped model of the file's kind
    /// (<see cref="LinearRegression"/>, <see cref="LogisticRegression"/>, <see cref="SoftmaxRegression"/> or
    /// <see cref="MultilayerPerceptron"/>); for a typed load, the model it filled.
    /// </summary>
    public IModel Model => UntypedModel;

    /// <summary>The model's kind, layer sizes and activations, as the file states them.</summary>
    public ModelShape Shape => UntypedModel.Shape;

    /// <summary>The name of each class, in label order; empty when the file names none.</summary>
    public IReadOnlyList<string> ClassNames => Metadata.ClassNames;

    /// <summary>The name of each feature, in input order; empty when the file names none (see <see cref="ModelMetadata.FeatureNames"/>).</summary>
    public IReadOnlyList<string> FeatureNames => Metadata.FeatureNames;

    /// <summary>The name of the label column the model was trained on, or null.</summary>
    public string? LabelName => Metadata.LabelName;

    /// <summary>The standardizer saved with the model, or null when there is none.</summary>
    public Standardizer? Standardizer => Metadata.Standardizer;

    /// <summary>The free-form properties saved with the model: training settings, final metrics and the like.</summary>
    public IReadOnlyDictionary<string, string> Properties => Metadata.Properties;

    /// <summary>Class names, standardizer and properties together: pass them to <see cref="ModelFile.Save(IModel, string, ModelMetadata?, CancellationToken)"/> to write the same file again.</summary>
    public ModelMetadata Metadata { get; }

    /// <summary>The version of the library that wrote the file, as the file states it, or null if it does not say.</summary>
    public string? LibraryVersion { get; }

    private protected IModel UntypedModel { get; }

    private ModelRuntime Predictor => _predictor ?? throw new NotSupportedException($"The model {UntypedModel.GetType()} does not run on the library's runtime: transform rows with {nameof(Standardizer)} and call the model itself.");

    /// <summary>The predicted class of one raw row: the largest logit, or for a logistic regression the logit's sign.</summary>
    /// <exception cref="ArgumentException">The row's length is not the model's feature count.</exception>
    /// <exception cref="NotSupportedException">The model is a regression.</exception>
    public int PredictClass(ReadOnlySpan<float> row) => Predictor.PredictClass(row);

    /// <summary>The predicted class of each raw row of <paramref name="rows"/>, written to <paramref name="classes"/>.</summary>
    /// <exception cref="ArgumentException">The lengths do not describe the same number of rows.</exception>
    /// <exception cref="NotSupportedException">The model is a regression.</exception>
    public void PredictClasses(ReadOnlySpan<float> rows, Span<int> classes) => Predictor.PredictClasses(rows, classes);

    /// <summary>The name of the predicted class of one raw row (its label as text when the file names no classes); allocates nothing.</summary>
    /// <exception cref="ArgumentException">The row's length is not the model's feature count.</exception>
    /// <exception cref="NotSupportedException">The model is a regression.</exception>
    public string PredictClassName(ReadOnlySpan<float> row) => _classNames[Predictor.PredictClass(row)];

    /// <summary>
    /// The class probabilities of each of n raw rows (one or many): n × classes values, each row summing to 1 (for a
    /// logistic regression, [1 − p, p]).
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not describe the same number of rows.</exception>
    /// <exception cref="NotSupportedException">The model is a regression.</exception>
    public void PredictProbabilities(ReadOnlySpan<float> rows, Span<float> probabilities) => Predictor.PredictProbabilities(rows, probabilities);

    /// <summary>The value a regression predicts for one raw row (for a logistic regression, P(class 1)).</summary>
    /// <exception cref="ArgumentException">The row's length is not the model's feature count.</exception>
    /// <exception cref="NotSupportedException">The model predicts several values a row.</exception>
    public float PredictValue(ReadOnlySpan<float> row) => Predictor.PredictValue(row);

    /// <summary>The value a regression predicts for each raw row of <paramref name="rows"/>, written to <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">The lengths do not describe the same number of rows.</exception>
    public void PredictValues(ReadOnlySpan<float> rows, Span<float> values) => Predictor.ForwardBatch(rows, values);
}

/// <summary>A model of type <typeparamref name="TModel"/> read from a file by a typed load of <see cref="ModelFile"/>.</summary>
/// <typeparam name="TModel">The model's type.</typeparam>
public sealed class LoadedModel<TModel> : LoadedModel
    where TModel : IModel
{
    internal LoadedModel(TModel model, ModelMetadata metadata, string? libraryVersion)
        : base(model, metadata, libraryVersion)
    {
        Model = model;
    }

    /// <summary>The model the file's weights were loaded into.</summary>
    public new TModel Model { get; }
}
