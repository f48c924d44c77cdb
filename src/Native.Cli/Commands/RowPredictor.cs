using System.Globalization;
using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>
/// Predicts rows one at a time through a loaded model's raw-row API (its standardizer applied inside, on the generated
/// kernel where the shape has one), for <c>predict</c> and <c>evaluate</c> alike. A row without a finite prediction (a
/// feature the model's arithmetic overflows on) is an error naming where that feature stands, never a confident answer.
/// </summary>
internal sealed class RowPredictor
{
    private readonly TrainedModel _file;
    private readonly float[] _row;
    private readonly float[] _outputs;

    public RowPredictor(TrainedModel file)
    {
        _file = file;
        Classifier = file.Model is IClassifier;
        _row = new float[file.Model.Features];
        _outputs = new float[file.Model is IClassifier c ? c.Classes : file.Model.Outputs];
        ClassNames = [.. Enumerable.Range(0, _outputs.Length).Select(k => k < file.ClassNames.Count ? file.ClassNames[k] : k.ToString(CultureInfo.InvariantCulture))];
        ValueNames = Classifier ? [] : file.LabelNames.Count == _outputs.Length && _outputs.Length > 1 ? file.LabelNames
            : [.. Enumerable.Range(0, _outputs.Length).Select(k => _outputs.Length == 1 ? "value" : "value " + k.ToString(CultureInfo.InvariantCulture))];
    }

    /// <summary>Whether the model gives classes and probabilities (else a value).</summary>
    public bool Classifier { get; }

    /// <summary>The features a row has.</summary>
    public int Features => _row.Length;

    /// <summary>For a regression, each output's name: "value" for one; for several, their label columns, or "value 0", "value 1"….</summary>
    public IReadOnlyList<string> ValueNames { get; }

    /// <summary>Each class's name: its saved name, or its number for a model without names.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The outputs of the last row predicted: each class's probability, or the values (one per output).</summary>
    public ReadOnlySpan<float> Outputs => _outputs;

    /// <summary>The most probable class of the last row predicted, ties to the lower class, as <c>PredictClass</c> chooses.</summary>
    public int BestClass
    {
        get
        {
            int best = 0;
            for (int k = 1; k < _outputs.Length; k++)
            {
                best = _outputs[k] > _outputs[best] ? k : best;
            }

            return best;
        }
    }

    /// <summary>Predicts <paramref name="raw"/> (in the data's units) into <see cref="Outputs"/>.</summary>
    /// <param name="raw">The row as read.</param>
    /// <param name="where">Where a feature stands in the input, for an error.</param>
    /// <param name="what">A feature's name, for an error.</param>
    public void Predict(float[] raw, Func<int, string> where, Func<int, string> what)
    {
        if (Classifier)
        {
            _file.PredictProbabilities(raw, _outputs);
        }
        else
        {
            _file.PredictValues(raw, _outputs);
        }

        if (!Sound(_outputs, Classifier))
        {
            throw Unpredictable(raw, where, what);
        }
    }

    /// <summary>
    /// Whether the outputs are a prediction: finite, and for a classifier probabilities that sum to 1 (a model
    /// that does not follow the policy itself may give a row of zeros for logits that overflowed).
    /// </summary>
    /// <summary>Predicts a record through the model's pipeline; <paramref name="where"/> names its line for an error.</summary>
    public void PredictRow(TableRow row, string where)
    {
        if (Classifier)
        {
            _file.PredictProbabilities(row, _outputs);
        }
        else
        {
            _file.PredictValues(row, _outputs);
        }

        if (!Sound(_outputs, Classifier))
        {
            throw new UsageException($"{where}: no prediction for this row: the model's outputs overflow the float range.");
        }
    }

    private static bool Sound(float[] outputs, bool probabilities)
    {
        if (!PredictionPolicy.IsFinite(outputs))
        {
            return false;
        }

        if (!probabilities)
        {
            return true;
        }

        float sum = 0f;
        foreach (float p in outputs)
        {
            sum += p;
        }

        return Math.Abs(sum - 1f) < 1e-3f;
    }

    /// <summary>The error for a row: where the feature to blame stands (the model's input's first non-finite, or largest), and why.</summary>
    private UsageException Unpredictable(float[] raw, Func<int, string> where, Func<int, string> what)
    {
        // The row the model saw: standardized, when the file has a standardizer.
        raw.CopyTo(_row, 0);
        _file.Standardizer?.Transform(_row, _row);
        int feature = PredictionPolicy.OffendingFeature(_row);
        string name = Printable.Text(what(feature));
        string value = raw[feature].ToString(CultureInfo.InvariantCulture);
        string reason = float.IsFinite(_row[feature])
            ? $"the model's outputs overflow the float range; its largest feature, '{name}', is {value}{(_file.Standardizer is null ? "" : $" (standardized: {_row[feature].ToString(CultureInfo.InvariantCulture)})")}"
            : $"feature '{name}' is {value}, which standardizes to {_row[feature].ToString(CultureInfo.InvariantCulture)}, beyond the float range";
        return new UsageException($"{where(feature)}: no prediction for this row: {reason}.");
    }
}
