using System.ComponentModel;

namespace Native.Numerics.CompilerServices;

/// <summary>
/// What a model compiled into the program (<see cref="GeneratedModelAttribute"/>) needs to be handed out as a
/// <see cref="TrainedModel"/>, as <c>ModelFile.Load</c> hands out the same file. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CompiledModels
{
    /// <summary>
    /// A trained model whose predictions run on <paramref name="engine"/> (its kernels, parameters and standardizer):
    /// raw rows in, the same bits as the engine's own calls. Its <see cref="TrainedModel.Model"/> shares the engine's
    /// parameters and takes rows as training did (standardized), as a loaded model's does.
    /// </summary>
    /// <param name="engine">A compiled model's engine, owned by the trained model from now on.</param>
    /// <param name="classNames">The class names in label order, or null (a regression, or a file that names none).</param>
    /// <exception cref="ArgumentException">The class names are not one per class.</exception>
    public static TrainedModel CreateTrainedModel(ModelRuntime engine, IReadOnlyList<string>? classNames) => CreateTrainedModel(engine, classNames, [], []);

    /// <summary>
    /// A trained model whose predictions run on <paramref name="engine"/>, as <see cref="CreateTrainedModel(ModelRuntime, IReadOnlyList{string}?)"/>,
    /// carrying the names the file saves beside the model, as <c>ModelFile.Load</c>'s model does.
    /// </summary>
    /// <param name="engine">A compiled model's engine, owned by the trained model from now on.</param>
    /// <param name="classNames">The class names in label order, or null (a regression, or a file that names none).</param>
    /// <param name="labelNames">The label column, or a multi-output regression's target columns, in output order; empty when the file names none.</param>
    /// <param name="featureNames">The names of the model's features in input order (for a file with a pipeline, the features it writes); empty when the file names none.</param>
    /// <exception cref="ArgumentException">The names do not fit the model.</exception>
    public static TrainedModel CreateTrainedModel(ModelRuntime engine, IReadOnlyList<string>? classNames, IReadOnlyList<string> labelNames, IReadOnlyList<string> featureNames)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(labelNames);
        ArgumentNullException.ThrowIfNull(featureNames);
        var model = new CompiledModel(engine.WithStandardizer(null));
        return new TrainedModel(model, new ModelMetadata { ClassNames = classNames ?? [], LabelNames = labelNames, FeatureNames = featureNames, Standardizer = engine.Standardizer });
    }

    /// <summary>
    /// A quantized trained model over the integer layers of <paramref name="engine"/>, as <c>ModelFile.Load</c> returns the
    /// same int8 file: raw rows in, the same bits, on an engine of its own; its <see cref="TrainedModel.Model"/> holds the float
    /// weights the bytes stand for.
    /// </summary>
    /// <param name="engine">A compiled int8 model's engine.</param>
    /// <param name="classNames">The class names in label order, or null (a regression, or a file that names none).</param>
    /// <exception cref="ArgumentException">The class names are not one per class.</exception>
    public static TrainedModel CreateTrainedModel(QuantizedRuntime engine, IReadOnlyList<string>? classNames) => CreateTrainedModel(engine, classNames, [], []);

    /// <summary>
    /// A quantized trained model over <paramref name="engine"/>, as <see cref="CreateTrainedModel(QuantizedRuntime, IReadOnlyList{string}?)"/>,
    /// carrying the names the file saves beside the model, as <c>ModelFile.Load</c>'s model does.
    /// </summary>
    /// <param name="engine">A compiled int8 model's engine.</param>
    /// <param name="classNames">The class names in label order, or null (a regression, or a file that names none).</param>
    /// <param name="labelNames">The label column, or a multi-output regression's target columns, in output order; empty when the file names none.</param>
    /// <param name="featureNames">The names of the model's features in input order (for a file with a pipeline, the features it writes); empty when the file names none.</param>
    /// <exception cref="ArgumentException">The names do not fit the model.</exception>
    public static TrainedModel CreateTrainedModel(QuantizedRuntime engine, IReadOnlyList<string>? classNames, IReadOnlyList<string> labelNames, IReadOnlyList<string> featureNames)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(labelNames);
        ArgumentNullException.ThrowIfNull(featureNames);
        return new TrainedModel(engine.Parameters, new ModelMetadata { ClassNames = classNames ?? [], LabelNames = labelNames, FeatureNames = featureNames, Standardizer = engine.Standardizer }, libraryVersion: null);
    }

    /// <summary>A compiled engine as an <see cref="IModel"/>: every call is the engine's.</summary>
    private sealed class CompiledModel(ModelRuntime runtime) : IModel, IModelRuntimeOwner
    {
        public ModelRuntime Runtime { get; } = runtime;

        public ModelShape Shape => Runtime.Shape;

        public ModelTask Task => Shape.Task;

        public int Features => Shape.Features;

        public int Outputs => Shape.Outputs;

        public Span<float> Parameters => Runtime.Parameters;

        public void Forward(ReadOnlySpan<float> row, Span<float> outputs) => Runtime.Forward(row, outputs);

        public void ForwardBatch(ReadOnlySpan<float> rows, Span<float> outputs) => Runtime.ForwardBatch(rows, outputs);

        public float Loss(in Batch batch) => Runtime.Loss(in batch);

        public float AccumulateGradient(in Batch batch, Span<float> gradient) => Runtime.AccumulateGradient(in batch, gradient);
    }
}
