using System.Diagnostics;
using System.Globalization;
using Native.Numerics;

namespace Native.Cli.Commands;

// Data larger than memory: rows read once into a row cache (CSV or Parquet, one file or several), then streamed from it
// epoch after epoch within the memory budget; checkpoints and --resume for either path.
internal static partial class TrainCommand
{
    /// <summary>Rows measured at a time when the summary reads streamed rows.</summary>
    private const int MeasureBlock = 4096;

    /// <summary>
    /// Whether the run streams: asked for (<c>--stream</c>), several CSV files, or data whose rows as floats would take more
    /// than half the budget (the rest is the model's, the optimizer's, and the reader's while it grows).
    /// </summary>
    private static bool Streams(TrainSettings settings, ScaleSettings scale, long budget, out string why)
    {
        why = "";
        if (settings.DataFormat == DataFormat.Idx)
        {
            return scale.Stream ? throw new UsageException("--stream reads CSV or Parquet files; IDX data are read into memory. Remove --stream.") : false;
        }

        if (scale.Stream)
        {
            why = "--stream";
            return true;
        }

        // A directory without CSV files (IDX data with --format csv, say) is refused as the in-memory reading refuses it.
        if (settings.DataFormat == DataFormat.Csv && DataFiles.IsSeveral(settings.Data) && !(Directory.Exists(settings.Data) && !Directory.EnumerateFiles(settings.Data, "*.csv").Any()))
        {
            why = "several CSV files";
            return true;
        }

        long bytes = DataFiles.Files(settings.Data, settings.Format).Sum(file => File.Exists(file) ? new FileInfo(file).Length : 0);

        // A CSV file's floats take about twice its text (MNIST's 91 MB are 165 MB of rows); Parquet's compressed columns about five times their bytes.
        long rows = settings.DataFormat == DataFormat.Parquet ? bytes * 5 : bytes * 2;
        if (rows > budget / 2)
        {
            why = string.Create(CultureInfo.InvariantCulture, $"the rows (about {Size(rows)}) take more than half the memory budget ({Size(budget)})");
            return true;
        }

        return false;
    }

    /// <summary>The checks of the streaming and checkpoint options, before any work.</summary>
    private static void CheckScale(TrainSettings settings, ScaleSettings scale, TableRequest? table)
    {
        if (scale.MemoryBytes is long memory && memory < 1L << 20)
        {
            throw new UsageException($"--memory must be at least 1MB, got {Size(memory)}.");
        }

        if (scale.MemoryBytes is long asked && asked > TrainingMemory.AvailableBytes)
        {
            // Taken at its word, rows that do not fit were loaded whole: an OutOfMemoryException ("unexpected error", exit 3).
            throw new UsageException($"--memory {Size(asked)} is more than this process may use ({Size(TrainingMemory.AvailableBytes)}: the machine's memory, its cgroup's limit or the .NET heap limit); give at most that, or leave --memory out (75 % of it).");
        }

        if (scale.CacheDirectory is not null && File.Exists(scale.CacheDirectory))
        {
            throw new UsageException($"--cache names a directory for the row cache, but '{scale.CacheDirectory}' is a file.");
        }

        if (scale.CheckpointPath is not null && !scale.Checkpoints && !scale.Resume)
        {
            throw new UsageException("--checkpoint names the checkpoint file of --checkpoint-every or --resume; without either it does nothing. Add one, or remove it.");
        }

        if (scale.Resume && !File.Exists(scale.CheckpointFile(settings.Data, settings.Out)))
        {
            throw new UsageException($"--resume continues from the checkpoint '{scale.CheckpointFile(settings.Data, settings.Out)}', which does not exist; train without --resume (and with --checkpoint-every) to make one.");
        }

        if (scale.Checkpoints || scale.Resume)
        {
            // Neither an input nor --out (the model saved at the end would replace the checkpoint), and a file that can be
            // written: a directory, or a directory that does not exist, is refused now rather than at the first checkpoint.
            string checkpoint = scale.CheckpointFile(settings.Data, settings.Out);
            Destinations destinations = new Destinations().ReadBy("--data", settings.Data, settings.Format).Writes("--checkpoint", checkpoint);
            if (settings.Out is not null)
            {
                destinations.Writes("--out", settings.Out);
            }

            destinations.Check();
            ModelFiles.CheckDestination("--checkpoint", checkpoint);
        }

        if (table is { Given: true } && (scale.Stream || (settings.DataFormat != DataFormat.Parquet && DataFiles.IsSeveral(settings.Data))))
        {
            throw new UsageException("The table options (text, blank and ignored columns) read one CSV file, or Parquet files, into memory; streamed rows are numbers only. Remove them, or --stream.");
        }
    }

    /// <summary>Sets the budget (0: all this process may use) and the checkpoints of <paramref name="options"/>.</summary>
    private static void ApplyScale(TrainerOptions options, TrainSettings settings, ScaleSettings scale, long budget)
    {
        options.MemoryBudget = budget;
        if (scale.Checkpoints || scale.Resume)
        {
            options.CheckpointPath = Path.GetFullPath(scale.CheckpointFile(settings.Data, settings.Out));
            options.CheckpointEveryEpochs = scale.CheckpointEpochs;
            options.CheckpointInterval = scale.CheckpointInterval;
            options.Resume = scale.Resume;
        }
    }

    /// <summary>
    /// The rows of <c>--data</c> for a first pass: one CSV file, several (one after another), or Parquet files. With
    /// <paramref name="infer"/> (<c>--model mlp</c>) the labels are classes or values as they prove to be, as in memory:
    /// a Parquet label by its column's type; a CSV label by its texts — each distinct one kept as an id during the pass
    /// (as classes are), and the ids given values at its end if every label is a number and some are not whole.
    /// </summary>
    private static RowReader OpenRows(TrainSettings settings, (CsvOptions Csv, IdxOptions Idx) limits, bool regression, bool infer)
    {
        if (settings.DataFormat == DataFormat.Parquet)
        {
            return ParquetFile.OpenRows(settings.Data, DataFiles.ParquetOptionsFor(settings.Label, regression, infer));
        }

        bool isIndex = int.TryParse(settings.Label, NumberStyles.None, CultureInfo.InvariantCulture, out int index);
        var options = new CsvOptions
        {
            LabelColumn = isIndex ? null : settings.Label,
            LabelIndex = isIndex ? index : null,
            Labels = regression ? CsvLabels.Regression : infer ? CsvLabels.Infer : CsvLabels.Classification,
            MaxFieldLength = limits.Csv.MaxFieldLength,
            MaxLineLength = limits.Csv.MaxLineLength,
            MaxColumns = limits.Csv.MaxColumns,
        };
        IReadOnlyList<string> files = DataFiles.CsvFiles(settings.Data);
        foreach (string file in files)
        {
            DataFiles.CheckCsvFile(file);
            CsvData.CheckHeader(file, settings.Label, limits.Csv);
        }

        return files.Count == 1 ? Csv.OpenRows(files[0], options) : Csv.OpenRows(files, options);
    }

    /// <summary>Trains on rows streamed from a row cache: read once (or found already made), then an epoch at a time within the budget.</summary>
    private static int RunStreamed(CliContext context, TrainSettings settings, ScaleSettings scale, (CsvOptions Csv, IdxOptions Idx) limits, long budget, string why, Stopwatch clock)
    {
        bool regression = settings.Model is ModelKind.LinearRegression or ModelKind.MultilayerPerceptronRegressor;
        bool text = !settings.Json && !settings.Quiet;
        if (text)
        {
            context.Out.WriteLine($"Streaming ({why}): rows cached in {scale.CacheDirectory ?? "the data's directory"}, memory budget {Size(budget)}.");
        }

        if (scale.CacheDirectory is not null)
        {
            try
            {
                Directory.CreateDirectory(scale.CacheDirectory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--cache: cannot create the directory '{scale.CacheDirectory}': {e.Message}");
            }
        }

        var pass = Stopwatch.StartNew();
        using RowSource all = RowSource.Open(OpenRows(settings, limits, regression, infer: settings.Model == ModelKind.MultilayerPerceptron), new RowSourceOptions { CacheDirectory = scale.CacheDirectory }, context.Cancellation);
        pass.Stop();
        if (text)
        {
            long bytes = DataFiles.Files(settings.Data, settings.Format).Sum(file => new FileInfo(file).Length);
            context.Out.WriteLine(all.CacheReused
                ? string.Create(CultureInfo.InvariantCulture, $"Row cache: {all.CachePath} reused ({all.Count:N0} rows, {all.StorageDescription}).")
                : string.Create(CultureInfo.InvariantCulture, $"Row cache: {all.CachePath} made{(all.CacheRebuiltBecause is string because ? $" again ({because})" : "")}: {all.Count:N0} rows read in {pass.Elapsed.TotalSeconds:F1} s ({bytes / 1e6 / Math.Max(pass.Elapsed.TotalSeconds, 1e-9):F0} MB/s), {Size(all.StoredBytes)} stored."));
        }

        if (settings.Model == ModelKind.MultilayerPerceptron && !all.HasLabels)
        {
            // --model mlp on a label of values (not all whole numbers): the perceptron regressor, as in memory.
            settings = settings with { Model = ModelKind.MultilayerPerceptronRegressor };
            regression = true;
        }

        if (!regression && !all.HasLabels)
        {
            throw new UsageException($"The labels of '{settings.Data}' are numbers with fractions: regression targets. Use --model linear or mlp-regressor, or a label column of classes.");
        }

        if (!regression)
        {
            CheckValuesAsClasses(all.ClassNames, settings); // a CSV label of values read as text classes ("0.5", "1.5")
        }

        RowSource training = all, validation = all;
        bool heldOut = settings.HoldOut > 0;
        if (heldOut)
        {
            (training, validation) = SplitValidation(all, settings, stratify: !regression);
        }

        Standardizer? standardizer = null;
        if (settings.Standardize)
        {
            standardizer = Standardizer.Fit(training);
            training = standardizer.Transform(training);
            validation = heldOut ? standardizer.Transform(validation) : training;
        }

        // A perceptron regressor's targets standardized as they are read, and folded back after, as in memory; the summary
        // reads the rows with their targets as they are.
        RowSource measured = heldOut ? validation : training;
        TargetStandardizer? targetScaling = null;
        if (StandardizesTargets(settings, settings.Standardize))
        {
            targetScaling = TargetStandardizer.Fit(training);
            RowSource scaled = targetScaling.Transform(training);
            validation = heldOut ? targetScaling.Transform(validation) : scaled;
            training = scaled;
        }

        Optimizer optimizer = CreateOptimizer(settings);
        var options = new TrainerOptions
        {
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            Seed = settings.Seed,
            Patience = settings.EarlyStopping ? settings.PatienceValue : 0,
            ClassWeights = settings.BalancedClasses ? ClassWeights.Balanced : null,
            Parallelism = settings.Threads,
        };
        ApplyScale(options, settings, scale, budget);
        ModelShape shape = ModelCatalog.Shape(settings, all.Features, regression ? 0 : all.Classes);
        try
        {
            TrainingMemory estimate = TrainingMemory.Estimate(shape, optimizer, options, training, heldOut ? validation : null);
            estimate.ThrowIfTooLarge();
            if (text)
            {
                context.Out.WriteLine(estimate.StreamResident
                    ? "Rows read in place from the mapped cache, shuffled in full each epoch."
                    : $"Rows streamed through two windows of {Size(estimate.StreamWindowBytes)} (one read while the other trains): blocks in a shuffled order, rows shuffled within each window.");
            }
        }
        catch (InsufficientMemoryException e) when (e.Message.IndexOf("; use ", StringComparison.Ordinal) is int advice and > 0)
        {
            throw new UsageException($"{e.Message[..advice]}; give more --memory, or use a smaller model (--hidden), fewer --threads, or --optimizer sgd.");
        }

        ModelChoice choice = ModelCatalog.Create(shape, settings, all.Features);
        IModel model = choice.Model;
        var progress = new EpochPrinter(context, settings.Json, settings.Quiet) { Targets = targetScaling };
        TrainingResult result = new Trainer(model, optimizer, options).Fit(training, heldOut ? validation : null, progress, context.Cancellation);
        progress.Finish();
        targetScaling?.Fold(model);

        // The training windows (most of the budget) are garbage now: give their memory back before the summary's reading
        // takes its own, so a run inside a memory limit does not hold both.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        context.Cancellation.ThrowIfCancellationRequested();
        Summary summary = Measure(model, measured, heldOut ? "validation" : "training", all.ClassNames, context.Cancellation);
        summary.ThrowIfNotFinite();
        (string, long)? saved = null;
        if (settings.Out is not null)
        {
            var metadata = new ModelMetadata { ClassNames = all.ClassNames, FeatureNames = all.FeatureNames, LabelName = all.LabelName, Standardizer = standardizer };
            saved = (settings.Out, ModelFiles.Save(model, settings.Out, metadata, settings, summary, context.Cancellation));
            context.Done($"the model was saved to '{settings.Out}'");
        }

        if (settings.Plots is not null)
        {
            Plots.Write(settings.Plots, progress.Reports, model, 0, 0, all.ClassNames, context.Out, settings.Json || settings.Quiet);
        }

        clock.Stop();
        summary.Write(context.Out, settings.Json, separate: !settings.Quiet, result, choice.Kernel, clock.Elapsed, model.Parameters.Length, saved);
        return ExitCodes.Success;
    }

    /// <summary>The model's metrics on streamed rows, read a block at a time.</summary>
    private static Summary Measure(IModel model, RowSource rows, string rowsName, IReadOnlyList<string> classNames, CancellationToken cancellation)
    {
        long count = rows.Count;
        if (count > Array.MaxLength)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"The summary measures at most {Array.MaxLength:N0} rows; these are {count:N0}. Hold out fewer with --validation."));
        }

        int features = rows.Features, block = MeasureBlock;
        float[] buffer = new float[block * features];
        int[] ids = new int[block];
        float[] targets = new float[block];
        using RowReader reader = rows.ReadRows();
        if (model is IClassifier classifier)
        {
            int classes = rows.Classes;
            int[] actual = new int[count], predicted = new int[count];
            float[] probabilities = new float[block * classes];
            double loss = 0;
            int done = 0;
            for (int got; (got = reader.Read(buffer, features, block, ids, targets)) > 0; done += got)
            {
                cancellation.ThrowIfCancellationRequested();
                ReadOnlySpan<float> span = buffer.AsSpan(0, got * features);
                classifier.PredictClasses(span, predicted.AsSpan(done, got));
                classifier.PredictProbabilities(span, probabilities.AsSpan(0, got * classes));
                ids.AsSpan(0, got).CopyTo(actual.AsSpan(done));
                loss += Metrics.LogLoss(ids.AsSpan(0, got), probabilities.AsSpan(0, got * classes), classes) * got;
            }

            return Summary.Of(ClassificationReport.FromPredictions(actual.AsSpan(0, done), predicted.AsSpan(0, done), classes), loss / Math.Max(done, 1), rowsName, classNames);
        }

        var regressor = (IRegressor)model;
        float[] wanted = new float[count], values = new float[count];
        int read = 0;
        for (int got; (got = reader.Read(buffer, features, block, ids, targets)) > 0; read += got)
        {
            cancellation.ThrowIfCancellationRequested();
            regressor.PredictValues(buffer.AsSpan(0, got * features), values.AsSpan(read, got));
            targets.AsSpan(0, got).CopyTo(wanted.AsSpan(read));
        }

        return Summary.Of(RegressionReport.FromPredictions(wanted.AsSpan(0, read), values.AsSpan(0, read)), rowsName);
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F1} GB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F0} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F0} KB"),
    };
}
