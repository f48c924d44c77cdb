using System.Globalization;
using Native.Cli.Platform;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>Model files as the commands write and read them.</summary>
internal static class ModelFiles
{
    /// <summary>
    /// Saves the model with its class names, column names and standardizer (<paramref name="metadata"/>), the
    /// training settings (<c>training.*</c>) and the final metrics (<c>metrics.*</c>); returns the file's size in bytes.
    /// </summary>
    public static long Save(IModel model, string path, ModelMetadata metadata, TrainSettings settings, Summary summary, CancellationToken cancellation)
    {
        var properties = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["training.data"] = Path.GetFileName(Path.TrimEndingDirectorySeparator(settings.Data)),
            ["training.model"] = settings.ModelWord,
            ["training.optimizer"] = settings.OptimizerWord,
            ["training.learning_rate"] = Text(settings.Rate),
            ["training.momentum"] = Text(settings.MomentumValue),
            ["training.batch_size"] = Text(settings.BatchSize),
            ["training.epochs"] = Text(settings.Epochs),
            ["training.l2"] = Text(settings.L2),
            ["training.seed"] = Text(settings.Seed),
            ["training.validation_fraction"] = Text(settings.HoldOut),
            ["training.standardize"] = settings.Standardize ? "true" : "false",
            ["training.class_weight"] = settings.BalancedClasses ? "balanced" : "none",
            ["training.early_stopping"] = settings.EarlyStopping ? Text(settings.PatienceValue) : "off",
            ["metrics.rows"] = summary.RowsName,
        };
        foreach (var (name, value) in summary.Metrics())
        {
            properties["metrics." + name] = value;
        }

        ModelFile.Save(model, path, new ModelMetadata
        {
            ClassNames = metadata.ClassNames,
            FeatureNames = metadata.FeatureNames,
            LabelNames = metadata.LabelNames,
            Standardizer = metadata.Standardizer,
            Pipeline = metadata.Pipeline,
            Properties = properties,
        }, cancellation);
        return new FileInfo(path).Length;
    }

    /// <summary>
    /// Checks, before any work, that a model can be saved to <paramref name="path"/> (the option <paramref name="what"/>
    /// named it): a regular file or a new path in a directory that can be written. A mistake is the user's (exit 1).
    /// </summary>
    public static void CheckDestination(string what, string path)
    {
        try
        {
            ModelFile.CheckSavePath(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new UsageException($"{what}: {CommandLine.FirstLine(e)}");
        }
    }

    /// <summary>
    /// Loads a model file, running it on a generated kernel where one matches its shape: the file is then read into
    /// that kernel's model, so the loaded model's raw-row predictions (its standardizer inside) run on it too.
    /// </summary>
    public static (TrainedModel File, ModelChoice Choice) Load(string path)
    {
        CheckModelPath(path);
        TrainedModel loaded = ModelFile.Load(path);
        if (loaded.IsQuantized)
        {
            // An int8 file predicts on the integer engine; its Model holds the float weights the bytes stand for.
            return (loaded, new ModelChoice(loaded.Model, "int8"));
        }

        ModelChoice choice = ModelCatalog.Adopt(loaded.Model);
        return ReferenceEquals(choice.Model, loaded.Model) ? (loaded, choice) : (ModelFile.LoadInto(choice.Model, path), choice);
    }

    /// <summary>
    /// Refuses, in words that fit, a --model that names no model file: a directory ("Access denied" from the reader),
    /// a device (/dev/zero read as "a header length of 0 bytes"), a socket. A FIFO is read (<c>--model &lt;(…)</c>).
    /// </summary>
    public static void CheckModelPath(string path)
    {
        FileStatus status = FileStatus.Of(path);
        string link = File.Exists(path) && new FileInfo(path).LinkTarget is not null && File.ResolveLinkTarget(path, returnFinalTarget: true) is { } target
            ? $" (a link to '{target.FullName}')"
            : "";
        switch (status.Kind)
        {
            case FileKind.Missing:
                throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
            case FileKind.Directory:
                throw new UsageException($"--model '{path}' is a directory; it names a model file (.safetensors or .onnx).");
            case FileKind.CharacterDevice or FileKind.BlockDevice or FileKind.Socket or FileKind.Other:
                throw new UsageException($"--model '{path}'{link} is {status.Description}, not a model file (.safetensors or .onnx).");
            default:
                break;
        }
    }

    private static string Text(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
