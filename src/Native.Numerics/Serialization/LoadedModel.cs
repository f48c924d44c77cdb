namespace Native.Numerics;

/// <summary>A model read from a file by <see cref="ModelFile"/>, with what the file keeps beside its weights.</summary>
public class LoadedModel
{
    private protected LoadedModel(IModel model, ModelMetadata metadata, string? libraryVersion)
    {
        UntypedModel = model;
        Metadata = metadata;
        LibraryVersion = libraryVersion;
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

    /// <summary>Class names, standardizer and properties together: pass them to <see cref="ModelFile.Save(IModel, string, ModelMetadata?)"/> to write the same file again.</summary>
    public ModelMetadata Metadata { get; }

    /// <summary>The version of the library that wrote the file, as the file states it, or null if it does not say.</summary>
    public string? LibraryVersion { get; }

    private protected IModel UntypedModel { get; }
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
