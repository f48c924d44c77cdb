namespace Native.Numerics;

/// <summary>
/// A model the engine can train and run: the contract shared by the run-time-shaped models and the
/// source-generated ones, so one trainer, one optimizer set, one file format and one command serve both. Its
/// predictions are those of <see cref="IClassifier"/> or <see cref="IRegressor"/>, which every model here also is.
/// </summary>
/// <remarks>
/// Prediction (<see cref="Forward"/>, <see cref="ForwardBatch"/>, <see cref="Loss"/>) writes only the
/// caller's spans and allocates nothing, so one model may serve many threads at once.
/// </remarks>
public interface IModel : IPredictor
{
    /// <summary>
    /// All parameters in one contiguous, 64-byte-aligned block: for each dense layer, its weights
    /// (row-major, outputs × inputs), then its biases.
    /// </summary>
    Span<float> Parameters { get; }

    /// <summary>
    /// Runs one row: writes the predicted value (regression), P(class 1) (logistic regression), or the
    /// class probabilities (softmax regression, perceptron) into <paramref name="outputs"/> (<see cref="IPredictor.Outputs"/> floats). A row whose logits are
    /// not finite (a feature NaN or infinite, or the arithmetic overflowing) gets NaN in every output
    /// (<see cref="PredictionPolicy"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not <see cref="IPredictor.Features"/> or <see cref="IPredictor.Outputs"/>.</exception>
    void Forward(ReadOnlySpan<float> row, Span<float> outputs);

    /// <summary>
    /// Runs many rows: <paramref name="rows"/> holds n rows of <see cref="IPredictor.Features"/> floats,
    /// <paramref name="outputs"/> receives n rows of <see cref="IPredictor.Outputs"/> floats; a row whose logits are not finite
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
