using System.Globalization;
using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

// native evaluate on Parquet files (one, a directory's, a pattern's): the rows read as train reads them (ParquetFile.OpenRows:
// the model's features by name, the label column, a row group at a time), each predicted as it is read.
internal static partial class EvaluateCommand
{
    // The rows read from the files at a time.
    private const int ParquetBatch = 256;

    /// <summary>
    /// The Parquet reader gives each row's label as an id (a number for each distinct label, in order of first appearance)
    /// and says what each id stands for only after the last row. So what is kept as the rows stream by is each row's id and
    /// predicted class (8 bytes a row, as for CSV), and for each id the sum over its rows of the log of every class's
    /// probability; when the ids' classes are known, the rows' actual classes and the log-loss follow.
    /// </summary>
    private static void EvaluateParquet(CliContext context, Settings settings, TrainedModel file, RowPredictor predictor, Tally tally)
    {
        string path = settings.Data;
        if (file.Pipeline is not null)
        {
            EvaluateTable(context, settings, file, predictor, tally, new CsvOptions(), parquet: true);
            return;
        }

        if (tally is ValueTally { Targets: > 1 } several)
        {
            EvaluateParquetTargets(context, settings, file, predictor, several);
            return;
        }

        bool classes = tally is ClassTally;
        var options = new ParquetOptions
        {
            LabelColumn = settings.Label ?? file.LabelName,
            Labels = classes ? ParquetLabels.Classification : ParquetLabels.Regression,
            FeatureColumns = file.FeatureNames.Count > 0 ? [.. file.FeatureNames] : null,
        };
        using RowReader reader = ParquetFile.OpenRows(path, options);
        int features = predictor.Features;
        if (reader.Features != features)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"'{path}' has {reader.Features} feature columns besides its label column '{Printable.Text(reader.LabelName ?? "")}'; the model takes {features} features."));
        }

        float[] rows = new float[ParquetBatch * features];
        int[] ids = new int[ParquetBatch];
        float[] targets = new float[ParquetBatch];
        float[] row = new float[features];
        var byId = classes ? new LabelIdTally(predictor.ClassNames.Count) : null;
        long index = 0;
        Func<int, string> what = feature => feature < reader.FeatureNames.Count ? reader.FeatureNames[feature] : string.Create(CultureInfo.InvariantCulture, $"feature {feature}");
        Func<int, string> where = feature => string.Create(CultureInfo.InvariantCulture, $"'{path}', row {index}, column '{Printable.Text(what(feature))}'");
        int read;
        while ((read = reader.Read(rows, features, ParquetBatch, ids, targets)) > 0)
        {
            for (int i = 0; i < read; i++, index++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                rows.AsSpan(i * features, features).CopyTo(row);
                predictor.Predict(row, where, what);
                if (byId is not null)
                {
                    byId.Add(ids[i], predictor, index);
                }
                else
                {
                    ((ValueTally)tally).Add(targets.AsSpan(i, 1), predictor.Outputs);
                }
            }
        }

        // With no rows, or one class only, the reader says so here, naming the file.
        RowLabels labels = reader.Finish();
        if (byId is not null)
        {
            byId.Finish(labels, new ClassMatcher(file, path, settings.ByIndex ? SortedNames(labels) : null, predictor.ClassNames.Count), (ClassTally)tally);
        }
    }

    /// <summary>
    /// A regression of several targets on Parquet files, as on CSV: the target columns named by --label or the model (else
    /// the files' last columns), each a number column; the model's features by name (else every other number column). The
    /// reader reads the first target as its label and the others after the features, so every target is checked as a
    /// label is: a finite number in every row.
    /// </summary>
    private static void EvaluateParquetTargets(CliContext context, Settings settings, TrainedModel file, RowPredictor predictor, ValueTally tally)
    {
        string path = settings.Data;
        int targets = tally.Targets, features = predictor.Features;
        IReadOnlyList<ParquetColumn> columns = ParquetFile.ReadColumns(path);
        if (tally.Names.Count != targets)
        {
            // Neither --label nor the model names the targets: the files' last columns, as one label is the last column.
            tally.Names = columns.Count > targets ? [.. columns.Skip(columns.Count - targets).Select(column => column.Name)] : [];
        }

        foreach (string target in tally.Names)
        {
            ParquetColumn? column = columns.FirstOrDefault(c => c.Name == target);
            if (column is null)
            {
                throw FileFormatException.InFile(path, $"no column is named '{Printable.Text(target)}', a target of the model; evaluate needs each of the model's {targets} targets in each row. The columns are {Names([.. columns.Select(c => c.Name)])}.");
            }

            if (column.Kind != ParquetColumnKind.Number)
            {
                throw FileFormatException.InFile(path, $"the target column '{Printable.Text(target)}' is {column.Type}, not numbers; a regression's targets are finite numbers.");
            }
        }

        string[] featureNames = file.FeatureNames.Count > 0
            ? [.. file.FeatureNames]
            : [.. columns.Where(c => c.Kind == ParquetColumnKind.Number && !tally.Names.Contains(c.Name, StringComparer.Ordinal)).Select(c => c.Name)];
        string? both = featureNames.Intersect(tally.Names, StringComparer.Ordinal).FirstOrDefault();
        if (featureNames.Length != features || both is not null)
        {
            throw FileFormatException.InFile(path, both is null
                ? string.Create(CultureInfo.InvariantCulture, $"the files have {featureNames.Length} number columns besides the {targets} targets; the model takes {features} features.")
                : $"the column '{Printable.Text(both)}' is both a feature of the model and a target.");
        }

        var options = new ParquetOptions
        {
            LabelColumn = tally.Names[0],
            Labels = ParquetLabels.Regression,
            FeatureColumns = [.. featureNames, .. tally.Names.Skip(1)],
            TargetColumns = [.. tally.Names.Skip(1)], // their errors (a null, a value not finite) are the targets'
        };
        using RowReader reader = ParquetFile.OpenRows(path, options);
        int width = features + targets - 1;
        float[] rows = new float[ParquetBatch * width];
        int[] ids = new int[ParquetBatch];
        float[] firstTargets = new float[ParquetBatch];
        float[] row = new float[features], actual = new float[targets];
        long index = 0;
        Func<int, string> what = feature => featureNames[feature];
        Func<int, string> where = feature => string.Create(CultureInfo.InvariantCulture, $"'{path}', row {index}, column '{Printable.Text(what(feature))}'");
        int read;
        while ((read = reader.Read(rows, width, ParquetBatch, ids, firstTargets)) > 0)
        {
            for (int i = 0; i < read; i++, index++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                ReadOnlySpan<float> fields = rows.AsSpan(i * width, width);
                fields[..features].CopyTo(row);
                predictor.Predict(row, where, what);
                actual[0] = firstTargets[i];
                fields[features..].CopyTo(actual.AsSpan(1));
                CheckTargets(actual, tally.Names, path, index);
                tally.Add(actual, predictor.Outputs);
            }
        }

        // With no rows, the reader says so here, naming the file.
        reader.Finish();
    }

    /// <summary>The targets read after the features are read as features are (finite, or an error naming the column); checked again here so a target is never taken for anything but a finite number.</summary>
    private static void CheckTargets(ReadOnlySpan<float> actual, IReadOnlyList<string> names, string path, long index)
    {
        for (int t = 0; t < actual.Length; t++)
        {
            if (!float.IsFinite(actual[t]))
            {
                throw FileFormatException.InFile(path, string.Create(CultureInfo.InvariantCulture, $"row {index}, column '{Printable.Text(names[t])}': the target is {actual[t]}; a regression's targets are finite numbers."));
            }
        }
    }

    /// <summary>The data's classes in the order the reader numbers them (integers numerically, text ordinally), each to its number.</summary>
    private static Dictionary<string, int> SortedNames(RowLabels labels) =>
        labels.ClassNames.Select((name, k) => (name, k)).ToDictionary(p => p.name, p => p.k, StringComparer.Ordinal);

    /// <summary>Each row's label id and predicted class, and per id the summed log of each class's probability, until the ids' classes are known.</summary>
    private sealed class LabelIdTally(int classes)
    {
        private readonly List<int> _ids = [];
        private readonly List<int> _predicted = [];
        private readonly List<double[]> _logSums = [];
        private readonly List<long> _firstRows = [];

        public void Add(int id, RowPredictor predictor, long row)
        {
            while (_logSums.Count <= id)
            {
                _logSums.Add(new double[classes]);
                _firstRows.Add(row);
            }

            double[] sums = _logSums[id];
            ReadOnlySpan<float> probabilities = predictor.Outputs;
            for (int k = 0; k < classes; k++)
            {
                sums[k] += Math.Log(Math.Max(probabilities[k], Floor));
            }

            _ids.Add(id);
            _predicted.Add(predictor.BestClass);
        }

        /// <summary>Each id's label matched to the model's class (a label the model does not know is an error naming the first row that has it), then every row into <paramref name="tally"/>.</summary>
        public void Finish(RowLabels labels, ClassMatcher matcher, ClassTally tally)
        {
            ReadOnlySpan<int> classOfId = labels.ClassOfId;
            int[] modelClass = new int[_logSums.Count];
            double logLoss = 0;
            for (int id = 0; id < modelClass.Length; id++)
            {
                string name = labels.ClassNames[classOfId[id]];
                modelClass[id] = matcher.ClassOfName(name, string.Create(CultureInfo.InvariantCulture, $"row {_firstRows[id]}"));
                logLoss -= _logSums[id][modelClass[id]];
            }

            for (int i = 0; i < _ids.Count; i++)
            {
                tally.Add(modelClass[_ids[i]], _predicted[i]);
            }

            tally.AddLogLoss(logLoss);
        }
    }
}
