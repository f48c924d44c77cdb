namespace Native.Numerics;

/// <summary>
/// A model that predicts: what every model a program can hold has in common — a run-time-shaped or generated
/// model, a <see cref="TrainedModel"/> loaded from a file or compiled into the program, a quantized one.
/// </summary>
/// <remarks>
/// <para>
/// The prediction vocabulary is one for all of them. A classifier (<see cref="IClassifier"/>) answers
/// <c>PredictClass</c>, <c>TryPredictClass</c>, <c>PredictClasses</c> and <c>PredictProbabilities</c>; a regressor
/// (<see cref="IRegressor"/>) answers <c>PredictValue</c>, <c>TryPredictValue</c> and <c>PredictValues</c>. A single
/// row is a span named <c>row</c> of <see cref="Features"/> floats; many rows are one span named <c>rows</c>, row after
/// row; the plural names write one result per row into the caller's span.
/// </para>
/// <para>
/// Prediction writes only the caller's spans and allocates nothing, so one model may serve many threads at once. A row
/// whose outputs are not finite never yields a confident answer (<see cref="PredictionPolicy"/>): the <c>Try</c> forms
/// return false for it, the others throw an <see cref="ArgumentException"/> naming the row and the feature, and
/// probabilities and batched values are NaN for it.
/// </para>
/// </remarks>
public interface IPredictor
{
    /// <summary>The model's kind, layer sizes and activations.</summary>
    ModelShape Shape { get; }

    /// <summary>What the model predicts: a value, one of two classes, or one of many.</summary>
    ModelTask Task { get; }

    /// <summary>The number of floats in a row.</summary>
    int Features { get; }

    /// <summary>The number of values the model's output layer computes for a row: 1 for a linear or logistic regression, the class count otherwise.</summary>
    int Outputs { get; }
}
