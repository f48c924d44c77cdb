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
    public int Predict(ReadOnlySpan<float> features)
    {
        CheckLength(features.Length, Features, nameof(features));
        Span<float> logits = Classes <= StackClassLimit ? stackalloc float[Classes] : LargeLogits(Classes);
        ForwardLogits(features, logits);
        return TensorPrimitives.IndexOfMax(logits);
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
            classes[i] = Predict(rows.Slice(i * Features, Features));
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
