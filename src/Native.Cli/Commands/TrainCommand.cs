using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>What <c>native train</c> was asked to do.</summary>
internal sealed record TrainSettings(
    string Data,
    string? Format,
    string? Label,
    string Model,
    int[] Hidden,
    Activation Activation,
    string Optimizer,
    float? LearningRate,
    float Momentum,
    int BatchSize,
    int Epochs,
    float L2,
    bool BalancedClasses,
    bool Standardize,
    double? Validation,
    bool EarlyStopping,
    int Patience,
    int Seed,
    int Threads,
    string? Out,
    string? Plots,
    bool Json,
    bool Quiet)
{
    /// <summary>The learning rate asked for, or the optimizer's usual default.</summary>
    public float Rate => LearningRate ?? Optimizer switch
    {
        "adam" => 0.001f,
        "momentum" or "nesterov" => 0.05f,
        _ => 0.1f,
    };

    /// <summary>
    /// The fraction of rows held out for validation: the one asked for; else 0.1 when early stopping needs a
    /// validation set (scikit-learn's <c>validation_fraction</c>); else none, so the model learns from every row.
    /// </summary>
    public double HoldOut => Validation ?? (EarlyStopping ? 0.1 : 0);
}

/// <summary><c>native train</c>: trains a model on a CSV file or an IDX directory, reports each epoch and a summary.</summary>
internal static class TrainCommand
{
    public static Command Create(CliContext context)
    {
        var data = new Option<string>("--data") { Description = "The training data: a CSV file, or a directory holding an IDX images file and labels file.", Required = true };
        var format = new Option<string?>("--format") { Description = "csv or idx (default: idx for a directory, csv otherwise)." };
        format.AcceptOnlyFromAmong("csv", "idx");
        var label = new Option<string?>("--label") { Description = "CSV: the label column, by name or 0-based index (default: the last column)." };
        var model = new Option<string>("--model") { Description = "softmax, logistic, linear or mlp.", DefaultValueFactory = _ => "softmax" };
        model.AcceptOnlyFromAmong("softmax", "logistic", "linear", "mlp");
        var hidden = new Option<string>("--hidden") { Description = "mlp: hidden layer widths, comma-separated.", DefaultValueFactory = _ => "128" };
        var activation = new Option<string>("--activation") { Description = "mlp: relu, tanh, sigmoid or leaky-relu.", DefaultValueFactory = _ => "relu" };
        activation.AcceptOnlyFromAmong("relu", "tanh", "sigmoid", "leaky-relu");
        var optimizer = new Option<string>("--optimizer") { Description = "sgd, momentum, nesterov or adam.", DefaultValueFactory = _ => "sgd" };
        optimizer.AcceptOnlyFromAmong("sgd", "momentum", "nesterov", "adam");
        var rate = new Option<float?>("--lr") { Description = "The learning rate (default: 0.1 for sgd, 0.05 for momentum and nesterov, 0.001 for adam)." };
        var momentum = new Option<float>("--momentum") { Description = "The momentum γ of momentum and nesterov.", DefaultValueFactory = _ => 0.9f };
        var batch = new Option<int>("--batch") { Description = "Rows per step: 1 is SGD, the row count is full-batch descent.", DefaultValueFactory = _ => 64 };
        var epochs = new Option<int>("--epochs") { Description = "The most epochs to run.", DefaultValueFactory = _ => 10 };
        var l2 = new Option<float>("--l2") { Description = "L2 weight decay λ.", DefaultValueFactory = _ => 0f };
        var classWeight = new Option<string?>("--class-weight") { Description = "balanced: weight each class by n / (k · its count)." };
        classWeight.AcceptOnlyFromAmong("balanced");
        var standardize = new Option<bool>("--standardize") { Description = "Standardize features (fitted on the training rows; saved with the model)." };
        var validation = new Option<double?>("--validation") { Description = "The fraction of rows held out for validation (default: 0.1 with --early-stopping, else 0: train on every row, report training metrics)." };
        var earlyStopping = new Option<bool>("--early-stopping") { Description = "Stop when the validation loss stops improving; keep the best epoch." };
        var patience = new Option<int>("--patience") { Description = "Epochs without improvement before early stopping.", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "The seed of the split, the initialization and the row order.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Threads that share each batch's gradient, at most one per processor (results are reproducible for a given count).", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = "Save the trained model to this file (safetensors)." };
        var plots = new Option<string?>("--plots") { Description = "Write loss and accuracy curves (SVG) and, for images, each class's weights (PNG) to this directory." };
        var json = new Option<bool>("--json") { Description = "One JSON object per epoch, then a summary object." };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the summary." };

        var command = new Command("train", "Train a model and report each epoch.")
        {
            data, format, label, model, hidden, activation, optimizer, rate, momentum, batch, epochs, l2, classWeight,
            standardize, validation, earlyStopping, patience, seed, threads, output, plots, json, quiet,
        };
        var limits = new ReaderLimits();
        limits.AddTo(command);
        command.SetAction(parse => Run(context, limits.Read(parse), new TrainSettings(
            parse.GetValue(data)!,
            parse.GetValue(format),
            parse.GetValue(label),
            parse.GetValue(model)!,
            ParseHidden(parse.GetValue(hidden)!),
            ParseActivation(parse.GetValue(activation)!),
            parse.GetValue(optimizer)!,
            parse.GetValue(rate),
            parse.GetValue(momentum),
            parse.GetValue(batch),
            parse.GetValue(epochs),
            parse.GetValue(l2),
            parse.GetValue(classWeight) == "balanced",
            parse.GetValue(standardize),
            parse.GetValue(validation),
            parse.GetValue(earlyStopping),
            parse.GetValue(patience),
            parse.GetValue(seed),
            parse.GetValue(threads),
            parse.GetValue(output),
            parse.GetValue(plots),
            parse.GetValue(json),
            parse.GetValue(quiet))));
        return command;
    }

    public static int Run(CliContext context, (CsvOptions Csv, IdxOptions Idx) limits, TrainSettings settings)
    {
        var clock = Stopwatch.StartNew();
        Check(settings);

        // Load, split, standardize.
        bool regression = settings.Model == "linear";
        Prepared data = LoadAndSplit(settings, limits, regression);
        Dataset training = data.Training, validation = data.Validation ?? data.Training;
        bool heldOut = data.Validation is not null;
        Standardizer? standardizer = null;
        if (settings.Standardize)
        {
            standardizer = Standardizer.Fit(training);
            training = standardizer.Transform(training);
            validation = heldOut ? standardizer.Transform(validation) : training;
        }

        // The model: a generated kernel where one matches the shape, else the run-time-shaped model.
        ModelChoice choice = ModelCatalog.Create(settings, data.Features, regression ? 0 : data.Classes);
        IModel model = choice.Model;
        Optimizer optimizer = CreateOptimizer(settings);
        var options = new TrainerOptions
        {
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            Seed = settings.Seed,
            Patience = settings.EarlyStopping ? settings.Patience : 0,
            ClassWeights = settings.BalancedClasses ? ClassWeights.Balanced : null,
            Parallelism = settings.Threads,
        };

        var progress = new EpochPrinter(context, settings.Json, settings.Quiet);
        TrainingResult result = new Trainer(model, optimizer, options)
            .Fit(training, heldOut ? validation : null, progress, context.Cancellation);
        progress.Finish();

        // Measure, save, plot, summarize.
        context.Cancellation.ThrowIfCancellationRequested();
        Summary summary = Summary.Measure(model, heldOut ? validation : training, heldOut ? "validation" : "training", data.ClassNames);
        long modelBytes = (long)model.Parameters.Length * sizeof(float);
        if (settings.Out is not null)
        {
            // A signal before the save's rename keeps the old file (exit 3); after it, the run finishes (exit 0).
            var metadata = new ModelMetadata { ClassNames = data.ClassNames, FeatureNames = data.FeatureNames, LabelName = data.LabelName, Standardizer = standardizer };
            modelBytes = ModelFiles.Save(model, settings.Out, metadata, settings, summary, context.Cancellation);
            context.Done($"the model was saved to '{settings.Out}'");
        }

        if (settings.Plots is not null)
        {
            Plots.Write(settings.Plots, progress.Reports, model, data.ImageRows, data.ImageColumns, context.Out, settings.Json || settings.Quiet);
        }

        clock.Stop();
        summary.Write(context.Out, settings.Json, result, choice.Kernel, clock.Elapsed, modelBytes, settings.Out);
        return ExitCodes.Success;
    }

    /// <summary>The training and validation rows, and what the data said about themselves.</summary>
    private sealed record Prepared(
        Dataset Training,
        Dataset? Validation,
        int Features,
        int Classes,
        IReadOnlyList<string> ClassNames,
        IReadOnlyList<string> FeatureNames,
        string? LabelName,
        int ImageRows,
        int ImageColumns);

    /// <summary>
    /// Loads the data and splits off the validation rows. The whole set lives only here, so once it is split its
    /// rows can be collected while training holds the parts.
    /// </summary>
    private static Prepared LoadAndSplit(TrainSettings settings, (CsvOptions Csv, IdxOptions Idx) limits, bool regression)
    {
        LoadedData loaded = DataFiles.Load(settings.Data, settings.Format, settings.Label, regression, limits);
        Dataset all = loaded.Dataset;
        CsvData.CheckDistinctNames(all, settings.Data);
        Dataset training = all;
        Dataset? validation = null;
        if (settings.HoldOut > 0)
        {
            (training, validation) = all.Split(settings.HoldOut, settings.Seed, stratify: !regression);
        }

        return new Prepared(training, validation, all.Features, all.Classes, loaded.ClassNames, all.FeatureNames, all.LabelName, loaded.ImageRows, loaded.ImageColumns);
    }

    /// <summary>
    /// Every setting checked before any work, each mistake one line in the command's own words; and the places
    /// the results go (<c>--out</c>, <c>--plots</c>) checked too, so no training is lost to a path that cannot be written.
    /// </summary>
    internal static void Check(TrainSettings settings)
    {
        if (settings.Validation is double fraction && !(fraction >= 0 && fraction < 1))
        {
            throw new UsageException($"--validation must be a fraction from 0 up to (not including) 1, got {Text(fraction)}.");
        }

        if (settings.EarlyStopping && settings.HoldOut == 0)
        {
            throw new UsageException("--early-stopping needs a validation set: give --validation a fraction above 0.");
        }

        if (settings.EarlyStopping && settings.Patience < 1)
        {
            throw new UsageException($"--patience must be at least 1 with --early-stopping (epochs without improvement before stopping), got {settings.Patience}.");
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

        if (!(settings.Momentum >= 0 && settings.Momentum < 1))
        {
            throw new UsageException($"--momentum must be from 0 up to (not including) 1, got {Text(settings.Momentum)}.");
        }

        if (!(settings.L2 >= 0) || !float.IsFinite(settings.L2))
        {
            throw new UsageException($"--l2 must be 0 or a positive number, got {Text(settings.L2)}.");
        }

        if (settings.Out is not null)
        {
            try
            {
                ModelFile.CheckSavePath(settings.Out);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--out: {e.Message}");
            }
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

    private static string Text(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    internal static Optimizer CreateOptimizer(TrainSettings settings)
    {
        Optimizer optimizer = settings.Optimizer switch
        {
            "momentum" => new Momentum(settings.Rate, settings.Momentum),
            "nesterov" => new Momentum(settings.Rate, settings.Momentum, nesterov: true),
            "adam" => new Adam(settings.Rate),
            _ => new GradientDescent(settings.Rate),
        };
        optimizer.WeightDecay = settings.L2;
        return optimizer;
    }

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

    internal static Activation ParseActivation(string text) => text switch
    {
        "tanh" => Activation.Tanh,
        "sigmoid" => Activation.Sigmoid,
        "leaky-relu" => Activation.LeakyRelu,
        _ => Activation.Relu,
    };
}
