using System.Globalization;
using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <content>The checks of <c>native train</c>'s settings and data, before any training: one line each, saying what and where.</content>
internal static partial class TrainCommand
{
    /// <summary>
    /// Refuses labels of one class, whatever the format (IDX data keep their ten classes whatever the labels hold, so
    /// all sevens trained a ten-class model to an accuracy of 1.0; a CSV file of one class is refused as it is read).
    /// </summary>
    private static void CheckClasses(Dataset data, TrainSettings settings)
    {
        if (!data.HasLabels || data.Count == 0)
        {
            return;
        }

        CheckValuesAsClasses(data.ClassNames, settings);

        int first = data.Labels[0];
        foreach (int label in data.Labels)
        {
            if (label != first)
            {
                return;
            }
        }

        string name = first < data.ClassNames.Count ? data.ClassNames[first] : first.ToString(CultureInfo.InvariantCulture);
        string where = settings.DataFormat == DataFormat.Idx ? $"the labels file '{DataFiles.Files(settings.Data, settings.Format)[1]}'" : $"'{settings.Data}'";
        throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{where} holds only one class ('{Printable.Text(name)}') in {data.Count:N0} labels; classification needs at least 2 classes."));
    }

    /// <summary>
    /// Refuses a label of numbers that are not all whole (2.75, 0.333) read as classes: softmax made each distinct value a
    /// class of its own (500 classes from 500 rows, accuracy 0.01), where <c>--model mlp</c> reads the same column as values.
    /// </summary>
    private static void CheckValuesAsClasses(IReadOnlyList<string> classNames, TrainSettings settings)
    {
        string? fraction = null;
        foreach (string name in classNames)
        {
            if (!double.TryParse(name, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            {
                return;
            }

            fraction ??= value == Math.Floor(value) ? null : name;
        }

        if (fraction is not null)
        {
            string label = settings.Label is null ? "the label column" : $"the label column '{Printable.Text(settings.Label)}'";
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"'{settings.Data}': {label} holds numbers that are not all whole (such as '{Printable.Text(fraction)}'): values, not classes; --model {settings.ModelWord} would make each of its {classNames.Count:N0} distinct values a class. Use --model linear or mlp-regressor for a regression."));
        }
    }

    /// <summary>
    /// The validation rows split off, or a split that leaves a side empty refused in this command's words: the library's
    /// "A test fraction of 0.5 of 2 rows … leaves the training set empty" named neither --validation nor what to change.
    /// </summary>
    private static (Dataset Training, Dataset Validation) SplitValidation(Dataset all, TrainSettings settings, bool stratify) =>
        SplitValidation(() => all.Split(settings.HoldOut, settings.Seed, stratify), all.Count, settings, stratify);

    /// <summary>The streamed rows' validation split, refused as <see cref="SplitValidation(Dataset, TrainSettings, bool)"/> refuses it.</summary>
    private static (RowSource Training, RowSource Validation) SplitValidation(RowSource all, TrainSettings settings, bool stratify) =>
        SplitValidation(() => all.Split(settings.HoldOut, settings.Seed, stratify), all.Count, settings, stratify);

    private static (T Training, T Validation) SplitValidation<T>(Func<(T, T)> split, long count, TrainSettings settings, bool stratify)
    {
        try
        {
            return split();
        }
        catch (ArgumentException e) when (e.ParamName == "testFraction")
        {
            bool training = e.Message.Contains("leaves the training set empty", StringComparison.Ordinal);
            string given = settings.Validation is null ? " (--early-stopping's default)" : "";
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--validation {settings.HoldOut}{given} of {count:N0} rows{(stratify ? ", class by class," : "")} leaves the {(training ? "training" : "validation")} set empty; give {(training ? "a smaller" : "a larger")} --validation, or more rows."));
        }
    }

    /// <summary>
    /// Every setting checked before any work, each mistake one line in the command's own words; and the places
    /// the results go (<c>--out</c>, <c>--plots</c>) checked too, so no training is lost to a path that cannot be written.
    /// </summary>
    internal static void Check(TrainSettings settings)
    {
        CheckApply(settings);
        if (!(settings.ClipNorm >= 0 && float.IsFinite(settings.ClipNorm)))
        {
            throw new UsageException($"--clip-norm must be a finite number, 0 or more (0: no clipping), got {Text(settings.ClipNorm)}.");
        }

        if (settings.Validation is double fraction && !(fraction >= 0 && fraction < 1))
        {
            throw new UsageException($"--validation must be a fraction from 0 up to (not including) 1, got {Text(fraction)}.");
        }

        if (settings.EarlyStopping && settings.HoldOut == 0)
        {
            throw new UsageException("--early-stopping needs a validation set: give --validation a fraction above 0.");
        }

        if (settings.EarlyStopping && settings.PatienceValue < 1)
        {
            throw new UsageException($"--patience must be at least 1 with --early-stopping (epochs without improvement before stopping), got {settings.PatienceValue}.");
        }

        int processors = Environment.ProcessorCount;
        if (settings.Threads < 1 || settings.Threads > processors)
        {
            throw new UsageException($"--threads must be between 1 and {processors} (the processors here; more threads only slow training), got {settings.Threads}.");
        }

        if (settings.Epochs < 1)
        {
            throw new UsageException($"--epochs must be at least 1, got {settings.Epochs}.");
        }

        if (settings.BatchSize < 1)
        {
            throw new UsageException($"--batch must be at least 1, got {settings.BatchSize}.");
        }

        if (!(settings.Rate > 0) || !float.IsFinite(settings.Rate))
        {
            throw new UsageException($"--lr must be a positive number, got {Text(settings.Rate)}.");
        }

        if (!(settings.MomentumValue >= 0 && settings.MomentumValue < 1))
        {
            throw new UsageException($"--momentum must be from 0 up to (not including) 1, got {Text(settings.MomentumValue)}.");
        }

        if (!(settings.L2 >= 0) || !float.IsFinite(settings.L2))
        {
            throw new UsageException($"--l2 must be 0 or a positive number, got {Text(settings.L2)}.");
        }

        // Nothing written may be something read: --out naming the data (or a file of an IDX directory) would
        // replace it with the model.
        var destinations = new Destinations().ReadBy("--data", settings.Data, settings.Format);
        if (settings.Out is not null)
        {
            destinations.Writes("--out", settings.Out);
        }

        if (settings.Plots is not null)
        {
            destinations.WritesInto("--plots", settings.Plots, Plots.IsPlotName);
        }

        destinations.Check();
        if (settings.Out is not null)
        {
            ModelFiles.CheckDestination("--out", settings.Out);
        }

        if (settings.Plots is not null)
        {
            if (File.Exists(settings.Plots))
            {
                throw new UsageException($"--plots names a directory for the pictures, but '{settings.Plots}' is a file.");
            }

            try
            {
                Directory.CreateDirectory(settings.Plots);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--plots: cannot create the directory '{settings.Plots}': {e.Message}");
            }
        }
    }

    /// <summary>
    /// Refuses a setting given where it does nothing — <c>--hidden</c> with softmax regression, <c>--momentum</c> with
    /// sgd, <c>--patience</c> without early stopping — rather than ignore it: the user meant something by it, and a
    /// warning scrolls past while the run goes on without it. One line, before any work; the fix is to remove it or
    /// to add what it needs.
    /// </summary>
    private static void CheckApply(TrainSettings settings)
    {
        bool perceptron = settings.Model is ModelKind.MultilayerPerceptron or ModelKind.MultilayerPerceptronRegressor;
        if (settings.Hidden is not null && !perceptron)
        {
            throw new UsageException($"--hidden sets a perceptron's hidden layers; it does nothing for --model {settings.ModelWord}. Remove it, or use --model mlp.");
        }

        if (settings.Activation is not null && !perceptron)
        {
            throw new UsageException($"--activation sets a perceptron's hidden activation; it does nothing for --model {settings.ModelWord}. Remove it, or use --model mlp.");
        }

        if (settings.Momentum is not null && settings.Optimizer is not (OptimizerKind.Momentum or OptimizerKind.Nesterov))
        {
            throw new UsageException($"--momentum is the γ of --optimizer momentum and nesterov; it does nothing for --optimizer {settings.OptimizerWord}. Remove it, or choose one of those.");
        }

        if (settings.Patience is not null && !settings.EarlyStopping)
        {
            throw new UsageException("--patience is how long --early-stopping waits; without --early-stopping it does nothing. Add --early-stopping, or remove --patience.");
        }

        if (settings.BalancedClasses && settings.Model is ModelKind.LinearRegression or ModelKind.MultilayerPerceptronRegressor)
        {
            throw new UsageException($"--class-weight weights classes; a {(settings.Model == ModelKind.LinearRegression ? "linear regression" : "perceptron regressor")} has none. Remove it.");
        }

        if (settings.Label is not null && settings.DataFormat == DataFormat.Idx)
        {
            throw new UsageException($"--label names a CSV column; the IDX data in '{settings.Data}' take their labels from the labels file. Remove it.");
        }
    }
}
