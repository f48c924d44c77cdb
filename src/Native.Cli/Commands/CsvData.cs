namespace Native.Cli.Commands;

/// <summary>CSV input for the commands (the library's CSV reader arrives with the model-files change).</summary>
internal static class CsvData
{
    public static LoadedData Load(string path, string? label, bool regression) =>
        throw new UsageException($"Reading CSV ('{path}', label {label ?? "last"}, {(regression ? "regression" : "classification")}) is not available yet.");
}
