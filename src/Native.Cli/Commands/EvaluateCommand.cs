using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>
/// <c>native evaluate</c>: a saved model's metrics on labelled data. The rows stream through the model as they are
/// read, as <c>predict</c>'s do: what is kept is each row's actual and predicted class (8 bytes a row) or value, never
/// the rows (issue 20: 5 million one-feature rows held 800 MB). IDX images are held as the file's bytes; Parquet files are
/// read a row group at a time.
/// </summary>
internal static partial class EvaluateCommand
{
    /// <summary>Probabilities below this count as this in the log-loss (as <see cref="Metrics.MinimumProbability"/>).</summary>
    private const double Floor = Metrics.MinimumProbability;

    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "The model file: .safetensors (from native train --out) or .onnx (Native's, PyTorch's, scikit-learn's).", Required = true };
        var data = new Option<string>("--data") { Description = "The data: a CSV file, Parquet files (a file, a directory of them, or a pattern), or a directory holding an IDX images file and labels file.", Required = true };
        var format = new Choice<DataFormat>("--format", "How to read --data (default: parquet for .parquet files and directories of them, idx for other directories, csv otherwise).", null, Vocabulary.Formats);
        var label = new Option<string?>("--label") { Description = "CSV and Parquet: the label column's name (default: the model's label column, else the last); for a regression of several targets, the target columns, comma-separated (default: the model's label columns)." };
        var match = new Choice<ClassMatching>("--match-classes", "name: each label is matched to the model's class of that name (a number label to the class of that number, for a model without names); index: the data's classes in sorted order are the model's classes 0, 1, … (as scikit-learn's LabelEncoder numbers them).", ClassMatching.Name, Vocabulary.Matchings);
        var json = new Option<bool>("--json") { Description = "One JSON object with the metrics." };
        var command = new Command("evaluate", "Measure a saved model on labelled data: accuracy, log-loss, P/R/F1 and the confusion matrix; or MSE, MAE and R².")
        {
            model, data, format.Option, label, match.Option, json,
        };
        var limits = new ReaderLimits();
        limits.AddTo(command);
        command.SetAction(parse =>
        {
            string dataPath = parse.GetValue(data)!;
            DataFormat chosen = DataFiles.FormatOf(dataPath, format.Read(parse));
            if (chosen == DataFormat.Idx && parse.GetValue(label) is not null)
            {
                throw new UsageException($"--label names a CSV column; the IDX data in '{dataPath}' take their labels from the labels file. Remove it.");
            }

            limits.CheckApply(parse, chosen, dataPath);
            var settings = new Settings(parse.GetValue(model)!, dataPath, chosen, parse.GetValue(label), match.Read(parse) == ClassMatching.Index, parse.Given(match.Option), parse.GetValue(json));
            return Run(context, settings, limits.Read(parse));
        });
        return command;
    }

    /// <summary>What <c>native evaluate</c> was asked to do.</summary>
    internal sealed record Settings(string Model, string Data, DataFormat Format, string? Label, bool ByIndex, bool MatchingGiven, bool Json);

    public static int Run(CliContext context, Settings settings, (CsvOptions Csv, IdxOptions Idx) limits)
    {
        new Destinations().Reads("--model", settings.Model).ReadBy("--data", settings.Data, settings.Format).Check();
        var (file, choice) = ModelFiles.Load(settings.Model);
        IModel model = choice.Model;
        if (model.Task == ModelTask.Regression && settings.MatchingGiven)
        {
            throw new UsageException($"--match-classes matches a classifier's classes; the model {model.Shape} is a regression. Remove it.");
        }

        var predictor = new RowPredictor(file);
        Tally tally = predictor.Classifier ? new ClassTally(predictor.ClassNames.Count) : new ValueTally(model.Outputs, TargetsOf(settings, file, model.Outputs));
        if (settings.Format == DataFormat.Idx)
        {
            EvaluateImages(context, settings, file, predictor, (ClassTally)tally, limits.Idx);
        }
        else if (settings.Format == DataFormat.Parquet)
        {
            EvaluateParquet(context, settings, file, predictor, tally);
        }
        else
        {
            EvaluateCsv(context, settings, file, predictor, tally, limits.Csv);
        }

        Summary summary = tally.Summary(file.ClassNames);
        if (settings.Json)
        {
            summary.WriteJson(context.Out);
        }
        else
        {
            context.Out.WriteLine($"Model: {model.Shape}; kernel: {choice.Kernel}.");
            summary.WriteMetrics(context.Out);
        }

        return ExitCodes.Success;
    }

    private static void EvaluateCsv(CliContext context, Settings settings, TrainedModel file, RowPredictor predictor, Tally tally, CsvOptions limits)
    {
        DataFiles.CheckCsvFile(settings.Data);
        string path = settings.Data;
        if (file.Pipeline is not null)
        {
            EvaluateTable(context, settings, file, predictor, tally, limits);
            return;
        }

        if (tally is ValueTally { Targets: > 1 } targets)
        {
            EvaluateTargets(context, settings, file, predictor, targets, limits);
            return;
        }

        // With --match-classes index the data's classes are numbered in sorted order, which only the whole file tells:
        // a first pass reads the labels.
        IReadOnlyDictionary<string, int>? sorted = settings.ByIndex && tally is ClassTally ? SortedClasses(settings, file, limits) : null;

        using CsvFeatureReader reader = Open(settings, file, limits);
        var classes = tally is ClassTally ? new ClassMatcher(file, path, sorted, predictor.ClassNames.Count) : null;
        float[] raw = new float[predictor.Features];
        Func<int, string> where = feature => string.Create(CultureInfo.InvariantCulture, $"'{path}', line {reader.LineOf(feature)}, column {reader.ColumnOf(feature)}");
        Func<int, string> what = feature => reader.Header[reader.Columns[feature]];
        while (reader.ReadRow(raw))
        {
            context.Cancellation.ThrowIfCancellationRequested();
            predictor.Predict(raw, where, what);
            if (tally is ClassTally counts)
            {
                counts.Add(classes!.ClassOf(reader), predictor);
            }
            else
            {
                ((ValueTally)tally).Add([Target(reader, path)], predictor.Outputs);
            }
        }

        if (tally.Count == 0)
        {
            throw FileFormatException.AtLine(path, reader.HeaderLine, 1, "the file has a header but no data rows; expected at least one row after it.");
        }
    }

    /// <summary>The data's CSV, its columns matched to the model's features by name where the model names them (any order), else by count; the label column skipped and read.</summary>
    private static CsvFeatureReader Open(Settings settings, TrainedModel file, CsvOptions limits)
    {
        CsvFeatureReader reader = CsvFeatureReader.Open(settings.Data, limits);
        try
        {
            string? label = settings.Label ?? file.LabelName;
            if (file.FeatureNames.Count > 0)
            {
                reader.SelectByName(file.FeatureNames, label ?? reader.Header[^1]);
            }
            else
            {
                reader.SelectByCount(file.Model.Features, label);
            }

            if (reader.LabelColumn < 0)
            {
                string wanted = label is null ? "label column" : $"label column '{Printable.Text(label)}'";
                throw FileFormatException.AtLine(settings.Data, reader.HeaderLine, 1, $"the header has no {wanted} besides the model's {file.Model.Features} features; evaluate needs each row's label.");
            }

            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>The data's classes in the order the CSV reader numbers them (integers numerically, "01" and "1" as one; else ordinal), each to its number.</summary>
    private static Dictionary<string, int> SortedClasses(Settings settings, TrainedModel file, CsvOptions limits)
    {
        using CsvFeatureReader reader = Open(settings, file, limits);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup = seen.GetAlternateLookup<ReadOnlySpan<char>>();
        float[] raw = new float[file.Model.Features];
        while (reader.ReadRow(raw))
        {
            if (!lookup.ContainsKey(reader.Label))
            {
                seen.Add(reader.Label.ToString(), 0);
            }
        }

        bool integers = seen.Keys.All(text => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _));
        string[] order = integers
            ? [.. seen.Keys.OrderBy(text => long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture))]
            : [.. seen.Keys.Order(StringComparer.Ordinal)];
        var classOf = new Dictionary<string, int>(StringComparer.Ordinal);
        int next = -1;
        long? previous = null;
        foreach (string text in order)
        {
            long? value = integers ? long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : null;
            next += integers && value == previous ? 0 : 1;
            previous = value;
            classOf[text] = next;
        }

        return classOf;
    }

    private static float Target(CsvFeatureReader reader, string path)
    {
        ReadOnlySpan<char> text = reader.Label;
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value))
        {
            return value;
        }

        throw FileFormatException.AtLine(path, reader.LineOfLabel(), reader.ColumnOfLabel(), $"the label is '{Printable.Text(text.ToString())}'; a regression's labels are finite numbers.");
    }

    private static void EvaluateImages(CliContext context, Settings settings, TrainedModel file, RowPredictor predictor, ClassTally tally, IdxOptions limits)
    {
        var (imagesPath, labelsPath) = Idx.FindFiles(settings.Data);
        IdxImages images = Idx.ReadImages(imagesPath, limits);
        byte[] labels = Idx.ReadLabels(labelsPath, limits);
        if (labels.Length != images.Count)
        {
            throw FileFormatException.InFile(labelsPath, string.Create(CultureInfo.InvariantCulture, $"{labels.Length} labels for the {images.Count} images of '{imagesPath}'; expected one label per image."));
        }

        if (images.PixelsPerImage != predictor.Features)
        {
            throw new UsageException($"The images have {images.PixelsPerImage} pixels; the model takes {predictor.Features} features.");
        }

        var classes = new ClassMatcher(file, labelsPath, settings.ByIndex ? new Dictionary<string, int>() : null, predictor.ClassNames.Count);
        float[] row = new float[predictor.Features];
        for (int i = 0; i < images.Count; i++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            ReadOnlySpan<byte> pixels = images.Image(i);
            for (int j = 0; j < row.Length; j++)
            {
                row[j] = pixels[j] / 255f;
            }

            int image = i;
            predictor.Predict(row, feature => string.Create(CultureInfo.InvariantCulture, $"'{imagesPath}', image {image}, pixel {feature}"), feature => string.Create(CultureInfo.InvariantCulture, $"pixel {feature}"));
            tally.Add(classes.ClassOfNumber(labels[i], i), predictor);
        }
    }

    /// <summary>
    /// Each label to the model's class. By name: the model's class of that name; a number label ("7", "07") to the
    /// class named by the number, or, for a model without names, to class 7. By index: the data's class in sorted order
    /// (IDX labels are their own numbers).
    /// </summary>
    private sealed class ClassMatcher(TrainedModel file, string path, IReadOnlyDictionary<string, int>? sorted, int classes)
    {
        private readonly Dictionary<string, int> _names = file.ClassNames.Select((name, k) => (name, k)).DistinctBy(p => p.name).ToDictionary(p => p.name, p => p.k, StringComparer.Ordinal);

        public int ClassOf(CsvFeatureReader reader)
        {
            ReadOnlySpan<char> text = reader.Label;
            int found = Find(text, out string? number);
            if (found >= 0)
            {
                return found;
            }

            string where = string.Create(CultureInfo.InvariantCulture, $"line {reader.LineOfLabel()}, column {reader.ColumnOfLabel()}");
            throw Unknown(text.ToString(), number, where);
        }

        /// <summary>The model's class of a label given by its text (a Parquet label's name); <paramref name="where"/> says where it was found.</summary>
        public int ClassOfName(string text, string where)
        {
            int found = Find(text, out string? number);
            return found >= 0 ? found : throw Unknown(text, number, where);
        }

        public int ClassOfNumber(byte label, int index)
        {
            string text = label.ToString(CultureInfo.InvariantCulture);
            if (sorted is not null)
            {
                return label < classes ? label : throw Unknown(text, text, string.Create(CultureInfo.InvariantCulture, $"label {index}"));
            }

            int found = Find(text, out string? number);
            return found >= 0 ? found : throw Unknown(text, number, string.Create(CultureInfo.InvariantCulture, $"label {index}"));
        }

        /// <summary>The model's class for a label's text, or −1; <paramref name="number"/> is the label as a canonical number ("07" → "7"), or null.</summary>
        private int Find(ReadOnlySpan<char> text, out string? number)
        {
            bool numeric = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value);
            number = numeric ? value.ToString(CultureInfo.InvariantCulture) : null;
            if (sorted is not null)
            {
                // --match-classes index: the data's class in sorted order.
                return sorted.TryGetValue(text.ToString(), out int k) && k < classes ? k : -1;
            }

            if (_names.Count > 0)
            {
                // By name: the label's text, else the number it spells.
                Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();
                return lookup.TryGetValue(text, out int k) || (number is not null && _names.TryGetValue(number, out k)) ? k : -1;
            }

            // A model without names: the number k is class k.
            return numeric && value >= 0 && value < classes ? (int)value : -1;
        }

        private UsageException Unknown(string text, string? number, string where)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return new UsageException($"'{path}', {where}: the label is missing (empty); every row needs one.");
            }

            string known = _names.Count > 0 && sorted is null ? Names(file.ClassNames) : $"0 to {classes - 1}";
            string hint = sorted is not null
                ? $" With --match-classes index the data's classes in sorted order are the model's 0 to {classes - 1}; this one is past them."
                : _names.Count == 0 && number is null
                    ? " The model has no class names (an ONNX file from PyTorch, say): pass --match-classes index to take the data's k-th class (in sorted order) as the model's class k."
                    : _names.Count > 0 && number is not null && file.ClassNames.All(n => !long.TryParse(n, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                        ? " The data's labels are numbers and the model's classes have names: pass --match-classes index to take the data's k-th class (in sorted order) as the model's class k."
                        : "";
            return new UsageException($"'{path}', {where}: the class '{Printable.Text(text)}' is not one the model knows; its classes are {known}.{hint}");
        }
    }

    /// <summary>Names for a message, escaped: all of up to ten; of more, the first eight, the last two (where a label usually is) and how many.</summary>
    private static string Names(IReadOnlyList<string> names) => names.Count <= 10
        ? string.Join(", ", names.Select(Printable.Text))
        : string.Join(", ", names.Take(8).Select(Printable.Text)) + ", …, " + string.Join(", ", names.Skip(names.Count - 2).Select(Printable.Text))
            + string.Create(CultureInfo.InvariantCulture, $" ({names.Count} in all)");

    /// <summary>What is kept of the rows as they stream by, to report on them at the end.</summary>
    private abstract class Tally
    {
        public abstract int Count { get; }

        public abstract Summary Summary(IReadOnlyList<string> classNames);
    }

    /// <summary>Each row's actual and predicted class, and the log-loss summed as the rows come.</summary>
    private sealed class ClassTally(int classes) : Tally
    {
        private readonly List<int> _actual = [];
        private readonly List<int> _predicted = [];
        private double _logLoss;

        public override int Count => _actual.Count;

        public void Add(int actual, RowPredictor predictor)
        {
            _actual.Add(actual);
            _predicted.Add(predictor.BestClass);
            _logLoss -= Math.Log(Math.Max(predictor.Outputs[actual], Floor));
        }

        /// <summary>A row whose log-loss is added apart (<see cref="AddLogLoss"/>).</summary>
        public void Add(int actual, int predicted)
        {
            _actual.Add(actual);
            _predicted.Add(predicted);
        }

        /// <summary>Rows' summed log-loss, for rows added with <see cref="Add(int, int)"/>.</summary>
        public void AddLogLoss(double logLoss) => _logLoss += logLoss;

        public override Summary Summary(IReadOnlyList<string> classNames) =>
            Commands.Summary.Of(ClassificationReport.FromPredictions(CollectionsMarshal.AsSpan(_actual), CollectionsMarshal.AsSpan(_predicted), classes), _logLoss / Count, "evaluation", classNames);
    }

    /// <summary>Each row's actual and predicted values: one, or one per target of a multi-output regression, named <paramref name="names"/>.</summary>
    private sealed class ValueTally(int targets, IReadOnlyList<string> names) : Tally
    {
        private readonly List<float> _actual = [];
        private readonly List<float> _predicted = [];

        public override int Count => _actual.Count / targets;

        /// <summary>The values a row has: the model's outputs.</summary>
        public int Targets => targets;

        /// <summary>The target columns, in the model's output order (set once the data's header tells them, when nothing named them).</summary>
        public IReadOnlyList<string> Names { get; set; } = names;

        public void Add(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted)
        {
            _actual.AddRange(actual);
            _predicted.AddRange(predicted[..targets]);
        }

        public override Summary Summary(IReadOnlyList<string> classNames) =>
            Commands.Summary.Of(RegressionReport.FromPredictions(CollectionsMarshal.AsSpan(_actual), CollectionsMarshal.AsSpan(_predicted), targets), "evaluation", Names);
    }
}
