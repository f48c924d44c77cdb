using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// ML.NET 5.0.1 as its users drive it: rows as objects holding a <c>float[]</c> of features, read through a schema
/// that gives the vector its size; a label as a key (multiclass) or a bool (binary); models from its trainers, since
/// ML.NET has no public way to build one from given weights (the model parameters' and prediction transformers'
/// constructors are internal); predictions from a <see cref="PredictionEngine{TSrc, TDst}"/> or a
/// <see cref="ITransformer.Transform"/> over an <see cref="IDataView"/>.
/// </summary>
internal static class MlNet
{
    /// <summary>The one seed every <see cref="MLContext"/> here is made with.</summary>
    public const int Seed = 1;

    /// <summary>A row to score: only its features.</summary>
    public static SchemaDefinition FeatureSchema(int features) => Schema<FeatureRow>(features, 0);

    /// <summary>
    /// Rows and labels as an ML.NET data view (a bool label when <paramref name="binary"/>, else a key), cached in
    /// memory and read once so the cache is full before anything is timed.
    /// </summary>
    public static IDataView Load(MLContext ml, Dataset data, bool binary = false)
    {
        IDataView view;
        if (binary)
        {
            var rows = new BinaryRow[data.Count];
            for (int i = 0; i < rows.Length; i++)
            {
                rows[i] = new BinaryRow { Features = data.Row(i).ToArray(), Label = data.Labels[i] == 1 };
            }

            view = ml.Data.LoadFromEnumerable(rows, Schema<BinaryRow>(data.Features, 0));
        }
        else
        {
            var rows = new ClassRow[data.Count];
            for (int i = 0; i < rows.Length; i++)
            {
                // Keys count from 1 (0 is "missing"): class c is key c + 1, and the scores are in class order.
                rows[i] = new ClassRow { Features = data.Row(i).ToArray(), Label = (uint)data.Labels[i] + 1 };
            }

            view = ml.Data.LoadFromEnumerable(rows, Schema<ClassRow>(data.Features, data.Classes));
        }

        IDataView cached = ml.Data.Cache(view);
        using DataViewRowCursor cursor = cached.GetRowCursor(cached.Schema);
        while (cursor.MoveNext())
        {
        }

        return cached;
    }

    /// <summary>
    /// A model of <paramref name="teacher"/>'s shape trained on rows it labelled: L-BFGS maximum entropy (softmax
    /// regression) for a classifier of many classes, L-BFGS logistic regression for two; no L1 penalty, so every
    /// weight is non-zero and ML.NET keeps them dense, as ours are (checked). What prediction costs does not depend on
    /// the values of dense weights, so this model's cost is that of the teacher's shape.
    /// </summary>
    public static ITransformer TrainLike(MLContext ml, IModel teacher)
    {
        IDataView data = Load(ml, PeerModels.Taught(teacher, count: 2000), binary: teacher.Outputs == 1);
        if (teacher.Outputs == 1)
        {
            var binary = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                L1Regularization = 0,
                MaximumNumberOfIterations = 50,
                NumberOfThreads = 1,
            }).Fit(data);
            CheckDense(binary.Model.SubModel.Weights);
            return binary;
        }

        var multiclass = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
        {
            L1Regularization = 0,
            MaximumNumberOfIterations = 50,
            NumberOfThreads = 1,
        }).Fit(data);
        VBuffer<float>[] weights = [];
        multiclass.Model.GetWeights(ref weights, out _);
        foreach (VBuffer<float> classWeights in weights)
        {
            CheckDense(classWeights.DenseValues().ToArray());
        }

        return multiclass;
    }

    /// <summary>A prediction engine over <paramref name="model"/> for rows of <paramref name="features"/> floats.</summary>
    public static PredictionEngine<FeatureRow, TOutput> Engine<TOutput>(MLContext ml, ITransformer model, int features)
        where TOutput : class, new() =>
        ml.Model.CreatePredictionEngine<FeatureRow, TOutput>(model, inputSchemaDefinition: FeatureSchema(features));

    /// <summary>The share of <paramref name="test"/>'s rows whose most probable class is their label.</summary>
    public static double Accuracy(MLContext ml, ITransformer model, IDataView test) =>
        ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;

    private static void CheckDense(IReadOnlyList<float> weights)
    {
        if (weights.Any(w => w == 0f))
        {
            throw new InvalidOperationException("An ML.NET model has zero weights: it may store them sparse, and the comparison would not be like for like.");
        }
    }

    private static SchemaDefinition Schema<TRow>(int features, int classes)
    {
        var schema = SchemaDefinition.Create(typeof(TRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features);
        if (classes > 0)
        {
            schema[nameof(ClassRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), classes);
        }

        return schema;
    }

    /// <summary>A row to score.</summary>
    public sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }

    /// <summary>A training row of a multiclass problem; the label is a key, class + 1.</summary>
    public sealed class ClassRow
    {
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }

    /// <summary>A training row of a binary problem.</summary>
    public sealed class BinaryRow
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    /// <summary>A multiclass model's output: the probability of each class (ML.NET's Score column).</summary>
    public sealed class ClassProbabilities
    {
        public float[] Score { get; set; } = [];
    }

    /// <summary>A binary model's output: P(true), the calibrated probability.</summary>
    public sealed class BinaryProbability
    {
        public float Probability { get; set; }
    }
}
