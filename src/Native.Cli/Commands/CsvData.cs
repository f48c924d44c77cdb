using System.Globalization;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>CSV input for the commands.</summary>
internal static class CsvData
{
    /// <summary>
    /// Reads a CSV dataset. <paramref name="label"/> names the label column, or gives its 0-based index when
    /// it is a whole number; by default the last column is the label.
    /// </summary>
    public static LoadedData Load(string path, string? label, bool regression, CsvOptions limits)
    {
        bool isIndex = int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out int index);
        var options = new CsvOptions
        {
            LabelColumn = isIndex ? null : label,
            LabelIndex = isIndex ? index : null,
            Labels = regression ? CsvLabels.Regression : CsvLabels.Classification,
            MaxFieldLength = limits.MaxFieldLength,
            MaxLineLength = limits.MaxLineLength,
            MaxColumns = limits.MaxColumns,
        };
        Dataset data = Csv.Read(path, options);
        return new LoadedData(data, data.ClassNames, 0, 0);
    }

    /// <summary>
    /// Refuses a training file whose feature columns share a name: the model keeps the names so predictions can
    /// match columns by them, and a name given twice could not say which column is which.
    /// </summary>
    public static void CheckDistinctNames(Dataset data, string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in data.FeatureNames)
        {
            if (!seen.Add(name))
            {
                throw new UsageException($"'{path}': two feature columns are named '{Output.Printable.Text(name)}'; the model keeps the names so predictions can match columns by them, so each must be distinct.");
            }
        }
    }
}
