using System.Globalization;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>Model files as the commands write and read them.</summary>
internal static class ModelFiles
{
    /// <summary>
    /// Saves the model with its class names, column names and standardizer (<paramref name="metadata"/>), the
    /// training settings (<c>training.*</c>) and the final metrics (<c>metrics.*</c>); returns the file's size in bytes.
    /// </summary>
    public static long Save(IModel model, string path, ModelMetadata metadata, TrainSettings settings, Summary summary)
    {
        var properties = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["training.data"] = Path.GetFileName(Path.TrimEndingDirectorySeparator(settings.Data)),
            ["training.model"] = settings.Model,
            ["training.optimizer"] = settings.Optimizer,
            ["training.learning_rate"] = Text(settings.Rate),
            ["training.momentum"] = Text(settings.Momentum),
            ["training.batch_size"] = Text(settings.BatchSize),
            ["training.epochs"] = Text(settings.Epochs),
            ["training.l2"] = Text(settings.L2),
            ["training.seed"] = Text(settings.Seed),
            ["training.validation_fraction"] = Text(settings.HoldOut),
            ["training.standardize"] = settings.Standardize ? "true" : "false",
            ["training.class_weight"] = settings.BalancedClasses ? "balanced" : "none",
            ["training.early_stopping"] = settings.EarlyStopping ? Text(settings.Patience) : "off",
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
            LabelName = metadata.LabelName,
            Standardizer = metadata.Standardizer,
            Properties = properties,
        });
        return new FileInfo(path).Length;
    }

    /// <summary>
    /// Loads a model file, running it on a generated kernel where one matches its shape: the file is then read into
    /// that kernel's model, so the loaded model's raw-row predictions (its standardizer inside) run on it too.
    /// </summary>
    public static (TrainedModel File, ModelChoice Choice) Load(string path)
    {
        TrainedModel loaded = ModelFile.Load(path);
        ModelChoice choice = ModelCatalog.Adopt(loaded.Model);
        return ReferenceEquals(choice.Model, loaded.Model) ? (loaded, choice) : (ModelFile.LoadInto(choice.Model, path), choice);
    }

    private static string Text(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
