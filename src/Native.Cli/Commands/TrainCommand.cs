using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary><c>native train</c>: trains a model on a CSV file or an IDX directory, reports each epoch and a summary.</summary>
internal static partial class TrainCommand
{
    public static Command Create(CliContext context)
    {
        var data = new Option<string>("--data") { Description = "The training data: a CSV file; several CSV files (a directory of them, or a pattern such as 'part-*.csv'), which stream; Parquet files (a file, a directory of them, or a pattern); or a directory holding an IDX images file and labels file.", Required = true };
        var format = new Choice<DataFormat>("--format", "How to read --data (default: parquet for .parquet files and directories of them, csv for a CSV file and for directories and patterns of .csv files, idx for other directories).", null, Vocabulary.Formats);
        var label = new Option<string?>("--label") { Description = "CSV and Parquet: the label column, by name or 0-based index (default: the last column). A number that is also a column's name must be given unambiguously." };
        var model = new Choice<ModelKind>("--model", "The model: softmax, logistic or linear regression, or a multilayer perceptron (mlp: a classifier, or a regressor when the label holds numbers that are not all whole; mlp-regressor: always a regressor).", ModelKind.SoftmaxRegression, Vocabulary.Models);
        var hidden = new Option<string?>("--hidden") { Description = "mlp and mlp-regressor only: hidden layer widths, comma-separated. [default: 128]" };
        var activation = new Choice<Activation>("--activation", "mlp and mlp-regressor only: the hidden layers' activation.", null, Vocabulary.Activations);
        activation.Option.Description += " [default: relu]";
        var optimizer = new Choice<OptimizerKind>("--optimizer", "The optimizer.", OptimizerKind.GradientDescent, Vocabulary.Optimizers);
        var rate = new Option<float?>("--lr") { Description = "The learning rate (default: 0.1 for sgd, 0.05 for momentum and nesterov, 0.001 for adam; a tenth of sgd's and momentum's for a perceptron regressor)." };
        var momentum = new Option<float?>("--momentum") { Description = "momentum and nesterov only: the momentum γ. [default: 0.9]" };
        var batch = new Option<int>("--batch") { Description = "Rows per step: 1 is SGD, the row count is full-batch descent.", DefaultValueFactory = _ => 64 };
        var epochs = new Option<int>("--epochs") { Description = "The most epochs to run.", DefaultValueFactory = _ => 10 };
        var l2 = new Option<float>("--l2") { Description = "L2 weight decay λ.", DefaultValueFactory = _ => 0f };
        var clipNorm = new Option<float>("--clip-norm") { Description = "Clip each step's gradient to this L2 norm, keeping its direction (0: no clipping).", DefaultValueFactory = _ => 0f };
        var classWeight = new Option<string?>("--class-weight") { Description = "Classifiers only: balanced weights each class by n / (k · its count)." };
        classWeight.AcceptOnlyFromAmong("balanced");
        var standardize = new Option<bool>("--standardize") { Description = "Standardize features (fitted on the training rows; saved with the model), and a perceptron regressor's targets (folded back into its last layer): the default for CSV and Parquet tables (--no-standardize opts out); IDX images opt in with it." };
        var validation = new Option<double?>("--validation") { Description = "The fraction of rows held out for validation (default: 0.1 with --early-stopping, else 0: train on every row, report training metrics)." };
        var earlyStopping = new Option<bool>("--early-stopping") { Description = "Stop when the validation loss stops improving; keep the best epoch." };
        var patience = new Option<int?>("--patience") { Description = "With --early-stopping: epochs without improvement before stopping. [default: 5]" };
        var seed = new Option<int>("--seed") { Description = "The seed of the split, the initialization and the row order.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Threads that share each batch's gradient, at most one per processor (results are reproducible for a given count).", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = "Save the trained model to this file: ONNX if it ends in .onnx, safetensors otherwise." };
        var plots = new Option<string?>("--plots") { Description = "Write loss and accuracy curves (SVG) to this directory and, for images and a linear model, each class's weights." };
        var json = new Option<bool>("--json") { Description = "One JSON object per epoch, then a summary object." };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the summary (with --json: only the summary object)." };
        var memory = new Option<string?>("--memory") { Description = "The memory the run may use, such as 2GB or 512MB (default: 75 % of what this process may use: the machine's memory, or its cgroup's limit). Data that do not fit stream." };
        var stream = new Option<bool>("--stream") { Description = "Stream the rows from a row cache even when they fit in memory (CSV and Parquet)." };
        var cache = new Option<string?>("--cache") { Description = "The directory of the row cache made when rows stream (default: beside the data); reused while the data are unchanged." };
        var checkpointEvery = new Option<string?>("--checkpoint-every") { Description = "Save a checkpoint (model and optimizer state, atomically) every N epochs (5) or every time span (30s, 5m, 1h)." };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "The checkpoint file (default: --out's name, else the data's, with .checkpoint added)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint; with the same data, seed and settings the run ends as an uninterrupted one would." };

        var command = new Command("train", "Train a model and report each epoch.")
        {
            data, format.Option, label, model.Option, hidden, activation.Option, optimizer.Option, rate, momentum, batch, epochs, l2, clipNorm, classWeight,
            standardize, validation, earlyStopping, patience, seed, threads, output, plots, json, quiet,
            memory, stream, cache, checkpointEvery, checkpoint, resume,
        };
        var limits = new ReaderLimits();
        limits.AddTo(command);
        var table = new TableSettings(fitting: true);
        table.AddTo(command);
        command.SetAction(parse =>
        {
            var settings = new TrainSettings(
                parse.GetValue(data)!,
                format.Read(parse),
                parse.GetValue(label),
                model.Read(parse)!.Value,
                parse.GetValue(hidden) is string widths ? ParseHidden(widths) : null,
                activation.Read(parse),
                optimizer.Read(parse)!.Value,
                parse.GetValue(rate),
                parse.GetValue(momentum),
                parse.GetValue(batch),
                parse.GetValue(epochs),
                parse.GetValue(l2),
                parse.GetValue(classWeight) == "balanced",
                StandardizeAsked(parse, standardize, table, format.Read(parse), parse.GetValue(data)!),
                parse.GetValue(validation),
                parse.GetValue(earlyStopping),
                parse.GetValue(patience),
                parse.GetValue(seed),
                parse.GetValue(threads),
                parse.GetValue(output),
                parse.GetValue(plots),
                parse.GetValue(json),
                parse.GetValue(quiet))
            {
                ClipNorm = parse.GetValue(clipNorm),
            };
            limits.CheckApply(parse, settings.DataFormat, settings.Data);
            table.CheckApply(parse, settings.DataFormat, settings.Data);
            if (parse.GetValue(standardize) && table.NoStandardize(parse))
            {
                throw new UsageException("--standardize and --no-standardize contradict each other; give one.");
            }

            (CsvOptions Csv, IdxOptions Idx) read = limits.Read(parse);
            // mlp is a classifier or a regressor as the label column says (as a table's label is inferred); the others know.
            CsvLabels labels = settings.Model switch
            {
                ModelKind.LinearRegression or ModelKind.MultilayerPerceptronRegressor => CsvLabels.Regression,
                ModelKind.MultilayerPerceptron => CsvLabels.Infer,
                _ => CsvLabels.Classification,
            };
            var request = new TableRequest(table.Read(parse, settings.Label, labels, read.Csv, standardize: !table.NoStandardize(parse)), table.AnyGiven(parse));
            (int epochs, TimeSpan interval) every = parse.GetValue(checkpointEvery) is string text ? ScaleSettings.ParseEvery(text, "--checkpoint-every") : (0, TimeSpan.Zero);
            var scale = new ScaleSettings(
                parse.GetValue(memory) is string size ? ScaleSettings.ParseSize(size, "--memory") : null,
                parse.GetValue(stream),
                parse.GetValue(cache),
                every.epochs,
                every.interval,
                parse.GetValue(checkpoint),
                parse.GetValue(resume));
            return Run(context, read, settings, request, scale);
        });
        return command;
    }

    public static int Run(CliContext context, (CsvOptions Csv, IdxOptions Idx) limits, TrainSettings settings, TableRequest? table = null, ScaleSettings? scale = null)
    {
        var clock = Stopwatch.StartNew();
        Check(settings);
        scale ??= ScaleSettings.None;
        CheckScale(settings, scale, table);
        long budget = scale.Budget(TrainingMemory.AvailableBytes);
        if (Streams(settings, scale, budget, out string why))
        {
            if (settings.DataFormat == DataFormat.Parquet && DataFiles.ParquetTextFeatures(settings.Data, settings.Label) is { Count: > 0 } text)
            {
                throw new UsageException($"'{settings.Data}' has text columns ({string.Join(", ", text.Take(3).Select(name => $"'{Output.Printable.Text(name)}'"))}{(text.Count > 3 ? ", …" : "")}), which a table reads into memory as categories, but the rows would stream ({why}): {(scale.Stream ? "remove --stream" : "raise --memory")}; a table with text does not stream.");
            }

            try
            {
                return RunStreamed(context, settings, scale, limits, budget, why, clock);
            }
            catch (FileFormatException e) when (!scale.Stream && settings.DataFormat == DataFormat.Csv && !DataFiles.IsSeveral(settings.Data)
                && (e.Message.Contains("which is not a number", StringComparison.Ordinal) || e.Message.Contains("is empty", StringComparison.Ordinal)))
            {
                // A table (text, blanks) too large for the budget: the rows were streamed, which takes numbers only, and the
                // message said a category was "not a number" of a file that trains in memory.
                throw new UsageException($"{CommandLine.FirstLine(e).TrimEnd('.')}. The rows stream because {why}, and streamed rows are numbers only: a table with text or blank fields is read into memory. Give more --memory (this process may use {Size(TrainingMemory.AvailableBytes)}), or train on fewer rows.");
            }
        }

        // Load, split, standardize.
        bool regression = settings.Model is ModelKind.LinearRegression or ModelKind.MultilayerPerceptronRegressor;
        if (table is not null && table.Options.LabelColumns.Count > 1 && !regression && settings.Model != ModelKind.MultilayerPerceptron)
        {
            throw new UsageException($"--label {settings.Label} names {table.Options.LabelColumns.Count} label columns: the targets of a multi-output regression, which --model linear, mlp and mlp-regressor train; --model {settings.ModelWord} has one label.");
        }

        Prepared data = LoadAndSplit(settings, limits, regression, table);
        if (settings.Model == ModelKind.MultilayerPerceptron && !data.Training.HasLabels)
        {
            // --model mlp on a label of values (not all whole numbers): the perceptron regressor.
            settings = settings with { Model = ModelKind.MultilayerPerceptronRegressor };
            regression = true;
        }

        Dataset training = data.Training, validation = data.Validation ?? data.Training;
        bool heldOut = data.Validation is not null;
        Standardizer? standardizer = null;
        if (data.Pipeline is FeaturePipeline pipeline)
        {
            // A table with text, blanks or options of its own: its pipeline (standardizer included) travels with the model.
            if (!settings.Quiet)
            {
                SchemaPrinter.Write(context.Out, pipeline, settings.Json);
            }

            if (pipeline.Standardizer is Standardizer scaling)
            {
                training = scaling.Transform(training);
                validation = heldOut ? scaling.Transform(validation) : training;
            }
        }
        else if (settings.Standardize)
        {
            standardizer = Standardizer.Fit(training);
            training = standardizer.Transform(training);
            validation = heldOut ? standardizer.Transform(validation) : training;
        }

        // A perceptron regressor's targets standardized too, when its features are, and folded back into its last layer
        // after training (TargetStandardizer); the summary measures the folded model on the targets as they are.
        Dataset measured = heldOut ? validation : training;
        TargetStandardizer? targetScaling = null;
        if (StandardizesTargets(settings, data.Pipeline is { } fitted ? fitted.Standardizer is not null : settings.Standardize))
        {
            targetScaling = TargetStandardizer.Fit(training);
            Dataset scaled = targetScaling.Transform(training);
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
        ApplyScale(options, settings, scale, scale.MemoryBytes ?? 0);

        // The memory the run needs, checked before the model is built (400 million parameters are 1.6 GB themselves);
        // then the model: a generated kernel where one matches the shape, else the run-time-shaped model.
        ModelShape shape = ModelCatalog.Shape(settings, data.Features, regression ? training.TargetCount : data.Classes);
        try
        {
            TrainingMemory.Estimate(shape, optimizer, options, training, heldOut ? validation : null).ThrowIfTooLarge();
        }
        catch (InsufficientMemoryException e) when (e.Message.IndexOf("; use ", StringComparison.Ordinal) is int advice and > 0)
        {
            // What it needs and what there is, from the library; what to change, in this command's options.
            throw new UsageException($"{e.Message[..advice]}; use a smaller model (--hidden), fewer --threads, or --optimizer sgd (momentum keeps one copy of the parameters, adam two).");
        }

        ModelChoice choice = ModelCatalog.Create(shape, settings, data.Features);
        IModel model = choice.Model;

        var progress = new EpochPrinter(context, settings.Json, settings.Quiet) { Targets = targetScaling };
        TrainingResult result = new Trainer(model, optimizer, options)
            .Fit(training, heldOut ? validation : null, progress, context.Cancellation);
        progress.Finish();
        targetScaling?.Fold(model);

        // Measure, save, plot, summarize.
        context.Cancellation.ThrowIfCancellationRequested();
        Summary summary = Summary.Measure(model, measured, heldOut ? "validation" : "training", data.ClassNames);
        summary.ThrowIfNotFinite();
        (string, long)? saved = null;
        if (settings.Out is not null)
        {
            // A signal before the save's rename keeps the old file (exit 3); after it, the run finishes (exit 0).
            var metadata = data.Pipeline is null
                ? new ModelMetadata { ClassNames = data.ClassNames, FeatureNames = data.FeatureNames, LabelNames = data.LabelNames, Standardizer = standardizer }
                : new ModelMetadata { ClassNames = data.ClassNames, LabelNames = data.LabelNames, Pipeline = data.Pipeline };
            saved = (settings.Out, ModelFiles.Save(model, settings.Out, metadata, settings, summary, context.Cancellation));
            context.Done($"the model was saved to '{settings.Out}'");
        }

        if (settings.Plots is not null)
        {
            Plots.Write(settings.Plots, progress.Reports, model, data.ImageRows, data.ImageColumns, data.ClassNames, context.Out, settings.Json || settings.Quiet);
        }

        clock.Stop();
        summary.Write(context.Out, settings.Json, separate: !settings.Quiet, result, choice.Kernel, clock.Elapsed, model.Parameters.Length, saved);
        return ExitCodes.Success;
    }

    /// <summary>The training and validation rows, and what the data said about themselves.</summary>
    internal sealed record Prepared(
        Dataset Training,
        Dataset? Validation,
        int Features,
        int Classes,
        IReadOnlyList<string> ClassNames,
        IReadOnlyList<string> FeatureNames,
        IReadOnlyList<string> LabelNames,
        int ImageRows,
        int ImageColumns,
        FeaturePipeline? Pipeline = null);

    /// <summary>
    /// Loads the data and splits off the validation rows. The whole set lives only here, so once it is split its
    /// rows can be collected while training holds the parts.
    /// </summary>
    internal static Prepared LoadAndSplit(TrainSettings settings, (CsvOptions Csv, IdxOptions Idx) limits, bool regression, TableRequest? table)
    {
        FeaturePipeline? pipeline = null;
        LoadedData loaded;
        if (settings.DataFormat == DataFormat.Csv && table is not null)
        {
            DataFiles.CheckCsvFile(settings.Data);
            if (table.Options.LabelColumns.Count < 2)
            {
                CsvData.CheckHeader(settings.Data, settings.Label, limits.Csv);
            }

            (loaded, pipeline) = TableData(settings.Data, table);
        }
        else if (settings.DataFormat == DataFormat.Parquet && table is not null && (table.Given || DataFiles.ParquetTextFeatures(settings.Data, settings.Label).Count > 0))
        {
            (loaded, pipeline) = ParquetTableData(settings.Data, table);
        }
        else
        {
            if (settings.DataFormat == DataFormat.Csv)
            {
                DataFiles.CheckCsvFile(settings.Data);
                CsvData.CheckHeader(settings.Data, settings.Label, limits.Csv);
            }

            loaded = DataFiles.Load(settings.Data, settings.Format, settings.Label, regression, limits, infer: settings.Model == ModelKind.MultilayerPerceptron);
        }

        // Features that are all integers 0-255 (pixels, counts, one-hot columns) are kept as bytes: a quarter of the memory,
        // widened in registers as training reads them, with the same results to the bit. Other data stop the check at their
        // first value that is not one.
        Dataset all = loaded.Dataset.Compact();
        CsvData.CheckNames(all, settings.Data, settings.Label);
        CheckClasses(all, settings);
        Dataset training = all;
        Dataset? validation = null;
        if (settings.HoldOut > 0)
        {
            (training, validation) = SplitValidation(all, settings, stratify: all.HasLabels);
        }

        return new Prepared(training, validation, all.Features, all.Classes, loaded.ClassNames, all.FeatureNames, all.LabelNames, loaded.ImageRows, loaded.ImageColumns, pipeline);
    }

    /// <summary>
    /// A CSV file read as a table. A table of numbers only, without blanks or an ignored column, and no table option given,
    /// trains as a plain CSV file always did (the model takes float rows, and keeps no pipeline); any other keeps its pipeline.
    /// </summary>
    private static (LoadedData Loaded, FeaturePipeline? Pipeline) TableData(string path, TableRequest table)
    {
        TableData read = Numerics.Table.Read(path, table.Options);
        FeaturePipeline pipeline = read.Pipeline;
        bool plain = !table.Given && !pipeline.HasCategories && pipeline.Columns.All(column => column.Kind == ColumnKind.Number && column.Missing == 0);
        return (new LoadedData(read.Data, read.Data.ClassNames, 0, 0), plain ? null : pipeline);
    }

    /// <summary>
    /// Parquet files read as a table (<see cref="ParquetTable"/>): files with text features, or any given a table option; as
    /// for CSV, a table of numbers only without nulls keeps no pipeline unless a table option was given.
    /// </summary>
    private static (LoadedData Loaded, FeaturePipeline? Pipeline) ParquetTableData(string path, TableRequest table)
    {
        if (table.Options.Delimiter is not null || table.Options.DecimalComma)
        {
            throw new UsageException("--delimiter and --decimal-comma describe CSV text; a Parquet file's numbers and text are not written out. Remove them.");
        }

        TableData read = ParquetTable.Read(path, table.Options);
        FeaturePipeline pipeline = read.Pipeline;
        bool plain = !table.Given && !pipeline.HasCategories && pipeline.Columns.All(column => column.Kind == ColumnKind.Number && column.Missing == 0);
        return (new LoadedData(read.Data, read.Data.ClassNames, 0, 0), plain ? null : pipeline);
    }

    /// <summary>How a CSV training file is read as a table: its options, and whether any was given on the command line.</summary>
    internal sealed record TableRequest(TableOptions Options, bool Given);

    private static string Text(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    internal static Optimizer CreateOptimizer(TrainSettings settings)
    {
        Optimizer optimizer = settings.Optimizer switch
        {
            OptimizerKind.Momentum => new Momentum(settings.Rate, settings.MomentumValue),
            OptimizerKind.Nesterov => new Momentum(settings.Rate, settings.MomentumValue, nesterov: true),
            OptimizerKind.Adam => new Adam(settings.Rate),
            OptimizerKind.GradientDescent => new GradientDescent(settings.Rate),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Optimizer, "Not an optimizer of native train."),
        };
        optimizer.WeightDecay = settings.L2;
        optimizer.MaxGradientNorm = settings.ClipNorm;
        return optimizer;
    }

    /// <summary>
    /// Whether the model trains on standardized targets, folded back after (<see cref="TargetStandardizer"/>): a perceptron
    /// regressor's, when its features are standardized. A linear regression's loss has the same curvature whatever the
    /// targets' scale, so its targets stay as they are.
    /// </summary>
    internal static bool StandardizesTargets(TrainSettings settings, bool featuresStandardized) =>
        settings.Model == ModelKind.MultilayerPerceptronRegressor && featuresStandardized;

    /// <summary>
    /// Whether features are standardized: for CSV and Parquet tables unless <c>--no-standardize</c> is given (raw
    /// columns in units of thousands and of thousandths diverge or stall at the default learning rate); for IDX images
    /// only with <c>--standardize</c> (pixels already share one scale, 0 to 1, and train as they are; standardizing
    /// widens each one-byte pixel to a float and turns the per-class weight images of <c>--plots</c> away from pixels).
    /// </summary>
    private static bool StandardizeAsked(ParseResult parse, Option<bool> standardize, TableSettings table, DataFormat? format, string data) =>
        parse.GetValue(standardize) || (DataFiles.FormatOf(data, format) != DataFormat.Idx && !table.NoStandardize(parse));

    private static int[] ParseHidden(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        int[] sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
            {
                throw new UsageException($"--hidden takes positive layer widths separated by commas, like 128,64; '{parts[i]}' is not one.");
            }
        }

        return sizes.Length > 0 ? sizes : throw new UsageException("--hidden needs at least one layer width, like 128.");
    }
}
