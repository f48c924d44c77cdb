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
    public static LoadedData Load(string path, string? label, bool regression)
    {
        bool isIndex = int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out int index);
        var options = new CsvOptions
        {
            LabelColumn = isIndex ? null : label,
            LabelIndex = isIndex ? index : null,
            Labels = regression ? CsvLabels.Regression : CsvLabels.Classification,
        };
        Dataset data = Csv.Read(path, options);
        return new LoadedData(data, data.ClassNames, 0, 0);
    }
}
