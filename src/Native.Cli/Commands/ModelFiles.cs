using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>Model files for the commands (the library's ModelFile arrives with the model-files change).</summary>
internal static class ModelFiles
{
    public static long Save(IModel model, string path, IReadOnlyList<string> classNames, Standardizer? standardizer, TrainSettings settings, Summary summary) =>
        throw new UsageException($"Saving {model.Shape} to '{path}' ({classNames.Count} names, standardized: {standardizer is not null}, {settings.Epochs} epochs, {summary.RowsName}) is not available yet.");
}
