namespace Native.Numerics;

/// <summary>
/// A model the engine can train and run: the contract shared by the run-time-shaped models and the
/// source-generated ones, so one trainer, one optimizer set, one file format and one command serve both.
/// </summary>
/// <remarks>
/// Prediction (<see cref="Forward"/>, <see cref="ForwardBatch"/>, <see cref="Loss"/>) writes only the
/// caller's spans and allocates nothing, so one model may serve many threads at once.
/// </remarks>
public interface IModel
{
    /// <summary>The model's kind, layer sizes and activations.</summary>
    ModelShape Shape { get; }

    /// <summary>What the model predicts.</summary>
    ModelTask Task { get; }

    /// <summary>The number of input features.</summary>
    int Features { get; }

    /// <summary>The number of outputs written by <see cref="Forward"/>.</summary>
    int Outputs { get; }

    /// <summary>
    /// All parameters in one contiguous, 64-byte-aligned block: for each dense layer, its weights
    /// (row-major, outputs × inputs), then its biases.
    /// </summary>
    Span<float> Parameters { get; }

    /// <summary>
    /// Runs one row: writes the predicted value (regression), P(class 1) (logistic regression), or the
    /// class probabilities (softmax regression, perceptron) into <paramref name="outputs"/>. A row whose logits are
    /// not finite (a feature NaN or infinite, or the arithmetic overflowing) gets NaN in every output
    /// (<see cref="PredictionPolicy"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not <see cref="Features"/> or <see cref="Outputs"/>.</exception>
    void Forward(ReadOnlySpan<float> features, Span<float> outputs);

    /// <summary>
    /// Runs many rows: <paramref name="rows"/> holds n rows of <see cref="Features"/> floats,
    /// <paramref name="outputs"/> receives n rows of <see cref="Outputs"/> floats; a row whose logits are not finite
    /// gets NaN in every output, as in <see cref="Forward"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not describe the same number of rows.</exception>
    void ForwardBatch(ReadOnlySpan<float> rows, Span<float> outputs);

    /// <summary>The summed (sample-weighted) loss of the batch.</summary>
    /// <exception cref="ArgumentException">The batch does not fit the model (features, labels or targets).</exception>
    float Loss(in Batch batch);

    /// <summary>
    /// Adds the gradient of the batch's summed (sample-weighted) loss, with respect to
    /// <see cref="Parameters"/>, to <paramref name="gradient"/>, and returns that summed loss.
    /// </summary>
    /// <exception cref="ArgumentException">The batch does not fit the model, or the gradient span is not <see cref="Parameters"/>' length.</exception>
    float AccumulateGradient(in Batch batch, Span<float> gradient);
}
