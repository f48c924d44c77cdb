namespace Native.Numerics;

/// <summary>
/// A table read by <see cref="Table"/>: its rows encoded by the pipeline fitted to them (numbers imputed, categories one-hot;
/// not standardized), and that pipeline.
/// </summary>
public sealed class TableData
{
    private Dataset? _standardized;

    internal TableData(Dataset data, FeaturePipeline pipeline)
    {
        Data = data;
        Pipeline = pipeline;
    }

    /// <summary>
    /// The rows as the pipeline encodes them, before standardizing, with their labels or targets; the feature names are the
    /// pipeline's (<c>grade=B</c>…) and the label's name the table's.
    /// </summary>
    public Dataset Data { get; }

    /// <summary>The pipeline: fitted to these rows, or the one the table was read with.</summary>
    public FeaturePipeline Pipeline { get; }

    /// <summary>
    /// The rows a model trains on: <see cref="Data"/> standardized by the pipeline's <see cref="FeaturePipeline.Standardizer"/>
    /// (computed once), or <see cref="Data"/> itself when it has none.
    /// </summary>
    public Dataset StandardizedData => _standardized ??= Pipeline.Standardizer?.Transform(Data) ?? Data;

    /// <summary>
    /// What a model trained on these rows keeps beside its weights: the pipeline (with its standardizer), the class names
    /// and the label's name. A <see cref="TrainedModel"/> made with it predicts from <see cref="TableRow"/>s, and
    /// <see cref="ModelFile.Save(IModel, string, ModelMetadata?, CancellationToken)"/> writes it.
    /// </summary>
    public ModelMetadata Metadata => new()
    {
        Pipeline = Pipeline,
        ClassNames = Data.ClassNames,
        LabelNames = Data.LabelNames,
    };
}
