using Native.Numerics.CompilerServices;

namespace Native.Numerics;

/// <summary>
/// The run-time-shaped models with a softmax output — <see cref="SoftmaxRegression"/> and
/// <see cref="MultilayerPerceptron"/>: prediction by the largest logit, probabilities by softmax.
/// </summary>
public abstract class ClassifierModel : DenseModel, IClassifier
{
    private protected ClassifierModel(ModelShape shape)
        : base(Create<SoftmaxHead>(shape))
    {
    }

    /// <inheritdoc/>
    public int Classes => Outputs;

    /// <summary>The class with the largest logit (the softmax is monotonic, so it is not computed). Ties go to the lower class.</summary>
    /// <exception cref="ArgumentException">The row's length is not the model's, or its logits are not finite (<see cref="PredictionPolicy"/>).</exception>
    public int PredictClass(ReadOnlySpan<float> row) => Runtime.PredictClass(row);

    /// <inheritdoc/>
    public bool TryPredictClass(ReadOnlySpan<float> row, out int predictedClass) => Runtime.TryPredictClass(row, out predictedClass);

    /// <inheritdoc/>
    public void PredictClasses(ReadOnlySpan<float> rows, Span<int> classes) => Runtime.PredictClasses(rows, classes);

    /// <inheritdoc/>
    public void PredictProbabilities(ReadOnlySpan<float> rows, Span<float> probabilities) => Runtime.PredictProbabilities(rows, probabilities);
}
