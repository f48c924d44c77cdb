using System.Numerics.Tensors;

namespace Native.Numerics;

/// <summary>
/// The run-time-shaped models with a softmax output — <see cref="SoftmaxRegression"/> and
/// <see cref="MultilayerPerceptron"/>: prediction by the largest logit, probabilities by softmax.
/// </summary>
public abstract class ClassifierModel : DenseModel, IClassifier
{
    /// <summary>Above this many classes, single-row logits use the per-thread workspace rather than the stack.</summary>
    private const int StackClassLimit = 1024;

    [ThreadStatic]
    private static float[]? t_logits;

    private protected ClassifierModel(ModelShape shape)
        : base(shape)
    {
    }

    /// <inheritdoc/>
    public int Classes => Outputs;

    /// <summary>The class with the largest logit (the softmax is monotonic, so it is not computed). Ties go to the lower class.</summary>
    /// <exception cref="ArgumentException">The row's length is not <see cref="IModel.Features"/>, or the row gives logits that are not finite (see <see cref="PredictionPolicy"/>).</exception>
    public int Predict(ReadOnlySpan<float> features)
    {
        CheckLength(features.Length, Features, nameof(features));
        return PredictRow(features, -1);
    }

    private int PredictRow(ReadOnlySpan<float> features, int row)
    {
        Span<float> logits = Classes <= StackClassLimit ? stackalloc float[Classes] : LargeLogits(Classes);
        ForwardLogits(features, logits);
        return PredictionPolicy.IsFinite(logits) ? TensorPrimitives.IndexOfMax(logits) : throw PredictionPolicy.Unpredictable(features, row, row < 0 ? nameof(features) : "rows");
    }

    private static Span<float> LargeLogits(int length)
    {
        float[]? logits = t_logits;
        if (logits is null || logits.Length < length)
        {
            t_logits = logits = new float[length];
        }

        return logits.AsSpan(0, length);
    }

    /// <inheritdoc/>
    public void Predict(ReadOnlySpan<float> rows, Span<int> classes)
    {
        int count = CheckBatchLengths(rows, classes.Length, 1, nameof(classes));
        for (int i = 0; i < count; i++)
        {
            classes[i] = PredictRow(rows.Slice(i * Features, Features), i);
        }
    }

    /// <inheritdoc/>
    public void PredictProbabilities(ReadOnlySpan<float> rows, Span<float> probabilities)
    {
        if (rows.Length == Features && probabilities.Length == Classes)
        {
            Forward(rows, probabilities);
        }
        else
        {
            ForwardBatch(rows, probabilities);
        }
    }
}
