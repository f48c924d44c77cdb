using System.Globalization;
using Native.Cli.Output;
using Native.Cli.Platform;
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
    /// Checks a training file's header before its rows are read (for a regular file; a pipe can be read once only, and
    /// is checked by <see cref="CheckNames"/> after): <c>--label N</c> that is both the name of one column and the index
    /// of another is refused as ambiguous, and the columns must be named as <c>predict</c> and <c>evaluate</c> will
    /// match them — each feature once, and no feature named as the label — with the same message at the same line and
    /// column as theirs, so a file that trains is one they read.
    /// </summary>
    public static void CheckHeader(string path, string? label, CsvOptions limits)
    {
        if (FileStatus.Of(path).Kind != FileKind.RegularFile)
        {
            return;
        }

        using CsvFeatureReader reader = CsvFeatureReader.Open(path, limits);
        IReadOnlyList<string> header = reader.Header;
        int labelColumn = LabelColumn(header, label, path);
        if (labelColumn < 0)
        {
            return; // no such label column: the reader says so, in its words
        }

        string[] features = [.. header.Where((_, j) => j != labelColumn)];
        reader.SelectByName(features, header[labelColumn]);
    }

    /// <summary>
    /// The header column <paramref name="label"/> names (by name or 0-based index; the last column when null), or −1
    /// when none does. A whole number that is the name of one column and the index of another is refused: which one
    /// was meant cannot be told, and taking either silently could train on the wrong label.
    /// </summary>
    private static int LabelColumn(IReadOnlyList<string> header, string? label, string path)
    {
        if (label is null)
        {
            return header.Count - 1;
        }

        int named = -1;
        for (int j = 0; j < header.Count && named < 0; j++)
        {
            named = string.Equals(header[j], label, StringComparison.Ordinal) ? j : -1;
        }

        if (!int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            return named;
        }

        if (named >= 0 && index < header.Count && named != index)
        {
            // Each column by a word that takes it alone; a column whose number-name and index both take others has none.
            string? first = NameOrIndex(header, named), second = NameOrIndex(header, index);
            string choice = (first, second) switch
            {
                (string a, string b) => $"Name the one you mean: --label {a} or --label {b}.",
                (string a, null) => $"Name it --label {a}, or rename column {index}: its name and its index both name other columns.",
                (null, string b) => $"Name it --label {b}, or rename column {named}: its name and its index both name other columns.",
                _ => $"Neither can be named alone: each one's name and index both name other columns. Rename column {named} or {index}.",
            };
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"--label {label} is ambiguous in '{path}': column {named} is named '{Printable.Text(label)}', and column {index} ('{Printable.Text(header[index])}') is at index {label}. {choice}"));
        }

        return index < header.Count ? index : named;
    }

    /// <summary>
    /// How to name column <paramref name="j"/> unambiguously: its name, unless that is a number another column is at; else
    /// its index, unless another column is named it; else null (header "1,0,label": column 0 is neither "1" nor "0" alone).
    /// </summary>
    private static string? NameOrIndex(IReadOnlyList<string> header, int j)
    {
        if (!int.TryParse(header[j], NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            return $"'{Printable.Text(header[j])}'";
        }

        if (number >= header.Count || number == j)
        {
            return header[j];
        }

        string at = j.ToString(CultureInfo.InvariantCulture);
        for (int k = 0; k < header.Count; k++)
        {
            if (k != j && header[k] == at)
            {
                return null;
            }
        }

        return at;
    }

    /// <summary>
    /// The same rules as <see cref="CheckHeader"/> on the names a dataset was read with, for data that could not be
    /// checked before it was read (a pipe): each feature named once, none named as the label, and <c>--label N</c> not
    /// also the name of a feature column.
    /// </summary>
    public static void CheckNames(Dataset data, string path, string? label)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in data.FeatureNames)
        {
            if (!seen.Add(name))
            {
                throw new UsageException($"'{path}': two feature columns are named '{Printable.Text(name)}'; the model keeps the names so predictions can match columns by them, so each must be distinct.");
            }
        }

        if (data.LabelName is { } labelName && seen.Contains(labelName))
        {
            throw new UsageException($"'{path}': the label column and a feature column are both named '{Printable.Text(labelName)}'; predictions match columns by name, so each must be distinct.");
        }

        if (label is not null && int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out _) && seen.Contains(label))
        {
            throw new UsageException($"--label {label} is ambiguous in '{path}': a column is named '{label}', and another is at index {label}. Give the label column by a name that is not a number.");
        }
    }
}
