using System.Globalization;
using System.Runtime.CompilerServices;

namespace Native.Numerics;

// The table-row vocabulary of a model that travels with its feature pipeline, and the float-span rule of one whose columns are all numbers.
public partial class TrainedModel
{
    /// <summary>
    /// What a refused float-span call on a model with categories says of a whole table (to evaluate on held-out rows, say):
    /// the pipeline reads it, and <see cref="Model"/> takes its standardized rows, as training gave them.
    /// </summary>
    private const string WholeTableAdvice = "; for a whole table, Table.Read(path, Pipeline) encodes every record, and Model takes its StandardizedData (ClassificationReport.Evaluate((IClassifier)Model, data.StandardizedData))";

    /// <summary>The encoded rows up to this width are written on the stack; wider ones into a buffer of the thread's own.</summary>
    private const int StackFeatures = 256;

    [ThreadStatic]
    private static float[]? t_encoded;

    /// <summary>A raw record for this model's pipeline, every value missing; reuse it row after row.</summary>
    /// <exception cref="NotSupportedException">The model has no pipeline.</exception>
    public TableRow CreateRow() => RequirePipeline().CreateRow();

    /// <summary>The class of one record, encoded by the model's pipeline; allocates nothing.</summary>
    /// <exception cref="ArgumentException">The row is another pipeline's, or its outputs are not finite (<see cref="PredictionPolicy"/>).</exception>
    /// <exception cref="NotSupportedException">The model has no pipeline, or is a regression.</exception>
    [SkipLocalsInit]
    public int PredictClass(TableRow row)
    {
        Span<float> x = EncodedWidth <= StackFeatures ? stackalloc float[StackFeatures] : Scratch();
        Span<float> encoded = Encode(row, x);
        return _quantized is null ? Predictor.PredictClass(encoded) : _quantized.PredictClass(encoded);
    }

    /// <summary>The class of one record, or false (no exception) when its outputs are not finite; allocates nothing.</summary>
    /// <exception cref="ArgumentException">The row is another pipeline's.</exception>
    /// <exception cref="NotSupportedException">The model has no pipeline, or is a regression.</exception>
    [SkipLocalsInit]
    public bool TryPredictClass(TableRow row, out int predictedClass)
    {
        Span<float> x = EncodedWidth <= StackFeatures ? stackalloc float[StackFeatures] : Scratch();
        Span<float> encoded = Encode(row, x);
        return _quantized is null ? Predictor.TryPredictClass(encoded, out predictedClass) : _quantized.TryPredictClass(encoded, out predictedClass);
    }

    /// <summary>The name of the class of one record (its label as text when no class names were saved); allocates nothing.</summary>
    /// <exception cref="ArgumentException">The row is another pipeline's, or its outputs are not finite.</exception>
    /// <exception cref="NotSupportedException">The model has no pipeline, or is a regression.</exception>
    public string PredictClassName(TableRow row) => _classNames[PredictClass(row)];

    /// <summary>The probability of each class for one record, into <paramref name="probabilities"/> (<see cref="Classes"/> long; NaN when the outputs are not finite); allocates nothing.</summary>
    /// <exception cref="ArgumentException">The row is another pipeline's, or <paramref name="probabilities"/> is not one per class.</exception>
    /// <exception cref="NotSupportedException">The model has no pipeline, or is a regression.</exception>
    [SkipLocalsInit]
    public void PredictProbabilities(TableRow row, Span<float> probabilities)
    {
        Span<float> x = EncodedWidth <= StackFeatures ? stackalloc float[StackFeatures] : Scratch();
        PredictProbabilitiesEncoded(Encode(row, x), probabilities);
    }

    /// <summary>The value of one record; allocates nothing.</summary>
    /// <exception cref="ArgumentException">The row is another pipeline's, or its value is not finite.</exception>
    /// <exception cref="NotSupportedException">The model has no pipeline, is a classifier, or predicts several values a row.</exception>
    [SkipLocalsInit]
    public float PredictValue(TableRow row)
    {
        Span<float> x = EncodedWidth <= StackFeatures ? stackalloc float[StackFeatures] : Scratch();
        Span<float> encoded = Encode(row, x);
        return _quantized is null ? Predictor.PredictValue(encoded) : _quantized.PredictValue(encoded);
    }

    /// <summary>The value of one record, or false (no exception) when it is not finite; allocates nothing.</summary>
    /// <exception cref="ArgumentException">The row is another pipeline's.</exception>
    /// <exception cref="NotSupportedException">The model has no pipeline, is a classifier, or predicts several values a row.</exception>
    [SkipLocalsInit]
    public bool TryPredictValue(TableRow row, out float value)
    {
        Span<float> x = EncodedWidth <= StackFeatures ? stackalloc float[StackFeatures] : Scratch();
        Span<float> encoded = Encode(row, x);
        return _quantized is null ? Predictor.TryPredictValue(encoded, out value) : _quantized.TryPredictValue(encoded, out value);
    }

    /// <summary>The values of one record, into <paramref name="values"/> (<see cref="Outputs"/> long; NaN when not finite); allocates nothing.</summary>
    /// <exception cref="ArgumentException">The row is another pipeline's, or <paramref name="values"/> has another length.</exception>
    /// <exception cref="NotSupportedException">The model has no pipeline, or is a classifier.</exception>
    [SkipLocalsInit]
    public void PredictValues(TableRow row, Span<float> values)
    {
        Span<float> x = EncodedWidth <= StackFeatures ? stackalloc float[StackFeatures] : Scratch();
        PredictValuesEncoded(Encode(row, x), values);
    }

    /// <summary>The probabilities of an encoded row, by the integer layers when the model is quantized.</summary>
    private void PredictProbabilitiesEncoded(ReadOnlySpan<float> encoded, Span<float> probabilities)
    {
        if (_quantized is null)
        {
            Predictor.PredictProbabilities(encoded, probabilities);
        }
        else
        {
            _quantized.PredictProbabilities(encoded, probabilities);
        }
    }

    /// <summary>The values of an encoded row, by the integer layers when the model is quantized.</summary>
    private void PredictValuesEncoded(ReadOnlySpan<float> encoded, Span<float> values)
    {
        if (_quantized is null)
        {
            Predictor.PredictValues(encoded, values);
        }
        else
        {
            _quantized.PredictValues(encoded, values);
        }
    }

    /// <summary>The width of the model's encoded row: its features.</summary>
    private int EncodedWidth => UntypedModel.Features;

    /// <summary>The thread's buffer for an encoded row too wide for the stack.</summary>
    private Span<float> Scratch()
    {
        float[]? buffer = t_encoded;
        if (buffer is null || buffer.Length < EncodedWidth)
        {
            t_encoded = buffer = new float[EncodedWidth];
        }

        return buffer;
    }

    private Span<float> Encode(TableRow row, Span<float> buffer)
    {
        Span<float> x = buffer[..EncodedWidth];
        RequirePipeline().Encode(row, x);
        return x;
    }

    /// <summary>The encoded row of a float row of a pipeline of numbers only (one value per number column, NaN for missing).</summary>
    private Span<float> EncodeNumbers(ReadOnlySpan<float> row, Span<float> buffer)
    {
        FeaturePipeline pipeline = _pipeline!;
        if (pipeline.HasCategories)
        {
            throw new NotSupportedException($"The model's pipeline has category columns, which a row of floats cannot hold: make a row with CreateRow, set its values, and predict from it{WholeTableAdvice}.");
        }

        if (row.Length != pipeline.NumberColumns)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"row has length {row.Length}; expected {pipeline.NumberColumns}, one value per number column of the model's pipeline (NaN for missing)."), nameof(row));
        }

        Span<float> x = buffer[..EncodedWidth];
        pipeline.EncodeNumbers(row, x);
        return x;
    }

    /// <summary>The rows in a span of many, for a pipeline of numbers only, after checking the outputs hold <paramref name="perRow"/> for each.</summary>
    private int PipelineRows(int rowsLength, int outputLength, int perRow, string outputName, string rowsName = "rows")
    {
        if (_pipeline!.HasCategories)
        {
            throw new NotSupportedException($"The model's pipeline has category columns, which rows of floats cannot hold: make a row with CreateRow, set its values, and predict from it{WholeTableAdvice}.");
        }

        int features = _pipeline.NumberColumns;
        if (rowsLength % features != 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"rows holds {rowsLength} floats, not a whole number of rows of {features} values (one per number column of the model's pipeline)."), rowsName);
        }

        int count = rowsLength / features;
        if ((long)count * perRow != outputLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{outputName} holds {outputLength} values; {count} rows need {(long)count * perRow}."), outputName);
        }

        return count;
    }

    private FeaturePipeline RequirePipeline() =>
        _pipeline ?? throw new NotSupportedException("The model has no feature pipeline: it takes rows of floats (a model trained on a table, by Table.Read or native train, keeps one).");

    /// <summary>The standardizer the model's rows go through: the metadata's, or its pipeline's, after checking they fit the model and each other.</summary>
    private static Standardizer? PipelineStandardizer(IModel model, ModelMetadata metadata)
    {
        if (metadata.Pipeline is not FeaturePipeline pipeline)
        {
            return metadata.Standardizer;
        }

        if (pipeline.Features != model.Features)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The pipeline writes {pipeline.Features} features; the model {model.Shape} takes {model.Features}."), nameof(metadata));
        }

        if (metadata.Standardizer is Standardizer given && !Same(given, pipeline.Standardizer))
        {
            throw new ArgumentException("The metadata give a standardizer beside a pipeline that has another (or none); the pipeline's standardizer is the model's: leave Standardizer null.", nameof(metadata));
        }

        if (metadata.FeatureNames.Count > 0 && !metadata.FeatureNames.SequenceEqual(pipeline.FeatureNames, StringComparer.Ordinal))
        {
            throw new ArgumentException("The metadata name features other than the pipeline's; with a pipeline, the feature names are its own: leave FeatureNames empty.", nameof(metadata));
        }

        return pipeline.Standardizer;
    }

    /// <summary>Whether two standardizers hold the same statistics (the same object, or equal bits).</summary>
    internal static bool Same(Standardizer? a, Standardizer? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.Means.SequenceEqual(b.Means) && a.StandardDeviations.SequenceEqual(b.StandardDeviations));
}
