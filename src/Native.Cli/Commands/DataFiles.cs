using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>A dataset read from the user's files, with what the files said about it.</summary>
/// <param name="Dataset">The rows (a CSV file's keep its column names).</param>
/// <param name="ClassNames">The class names the data gave (string labels in a CSV), or empty.</param>
/// <param name="ImageRows">For image data (IDX), the height of an image; otherwise 0.</param>
/// <param name="ImageColumns">For image data (IDX), the width of an image; otherwise 0.</param>
internal sealed record LoadedData(Dataset Dataset, IReadOnlyList<string> ClassNames, int ImageRows, int ImageColumns);

/// <summary>Reads training and evaluation data: a CSV file, Parquet files, or a directory holding IDX images and labels.</summary>
internal static class DataFiles
{
    /// <summary>
    /// The format <paramref name="path"/> is read in: <paramref name="format"/> if given; else Parquet for a <c>.parquet</c>
    /// file or pattern or a directory of them, CSV for a pattern or directory of <c>.csv</c> files, IDX for another
    /// directory, and CSV otherwise.
    /// </summary>
    public static DataFormat FormatOf(string path, DataFormat? format)
    {
        if (format is DataFormat given)
        {
            return given;
        }

        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || (Directory.Exists(path) && Directory.EnumerateFiles(path, "*.parquet").Any()))
        {
            return DataFormat.Parquet;
        }

        return Directory.Exists(path) && !Directory.EnumerateFiles(path, "*.csv").Any() ? DataFormat.Idx : DataFormat.Csv;
    }

    /// <summary>Whether <paramref name="path"/> names several files: a directory, or a pattern with <c>*</c> or <c>?</c>.</summary>
    public static bool IsSeveral(string path) => Directory.Exists(path) || Path.GetFileName(path).AsSpan().IndexOfAny('*', '?') >= 0;

    /// <summary>
    /// The CSV files of <paramref name="path"/>: the file itself, a directory's <c>*.csv</c> files, or those a pattern
    /// (<c>*</c> and <c>?</c> in the file name) matches, in ordinal order; none is an error.
    /// </summary>
    public static IReadOnlyList<string> CsvFiles(string path)
    {
        if (!IsSeveral(path))
        {
            return [path];
        }

        string directory = Directory.Exists(path) ? path : Path.GetDirectoryName(path) is { Length: > 0 } parent ? parent : ".";
        string pattern = Directory.Exists(path) ? "*.csv" : Path.GetFileName(path);
        if (!Directory.Exists(directory))
        {
            throw new FileNotFoundException($"The directory '{directory}' of --data '{path}' does not exist.", directory);
        }

        string[] files = Directory.GetFiles(directory, pattern);
        Array.Sort(files, StringComparer.Ordinal);
        return files.Length > 0 ? files : throw new FileNotFoundException($"No CSV file matches '{path}'.", path);
    }

    /// <summary>The files a load of <paramref name="path"/> reads: the CSV file, or the IDX images and labels files of a directory.</summary>
    public static IReadOnlyList<string> Files(string path, DataFormat? format)
    {
        if (FormatOf(path, format) == DataFormat.Idx && Directory.Exists(path))
        {
            var (images, labels) = Idx.FindFiles(path);
            return [images, labels];
        }

        if (FormatOf(path, format) == DataFormat.Parquet)
        {
            return ParquetFile.Files(path);
        }

        // A directory without CSV files is one path, refused as such by the reading (IDX data with --format csv, say).
        return IsSeveral(path) && (!Directory.Exists(path) || Directory.EnumerateFiles(path, "*.csv").Any()) ? CsvFiles(path) : [path];
    }

    /// <summary>
    /// The text columns of the (first) Parquet file at <paramref name="path"/> other than the label (<paramref name="label"/>,
    /// or the last column): features the numeric reader refuses and a table reads as categories.
    /// </summary>
    public static IReadOnlyList<string> ParquetTextFeatures(string path, string? label)
    {
        IReadOnlyList<string> files = ParquetFile.Files(path);
        ParquetColumn[] columns = [.. ParquetFile.ReadColumns(files[0])];
        string? labelName = label is not null && columns.Any(c => c.Name == label) ? label
            : int.TryParse(label, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index) && index < columns.Length ? columns[index].Name
            : label is null && columns.Length > 0 ? columns[^1].Name : label;
        return [.. columns.Where(column => column.Kind == ParquetColumnKind.Text && column.Name != labelName).Select(column => column.Name)];
    }

    /// <summary>States the files a load of <paramref name="path"/> reads (named by <paramref name="what"/>) to <paramref name="destinations"/>.</summary>
    public static Destinations ReadBy(this Destinations destinations, string what, string path, DataFormat? format)
    {
        foreach (string file in Files(path, format))
        {
            destinations.Reads(what, file);
        }

        return destinations;
    }

    public static LoadedData Load(string path, DataFormat? format, string? label, bool regression, (CsvOptions Csv, IdxOptions Idx) limits, bool infer = false)
    {
        if (FormatOf(path, format) == DataFormat.Idx)
        {
            if (regression)
            {
                throw new UsageException("IDX data hold class labels; a linear regression needs a CSV file with float targets.");
            }

            if (!Directory.Exists(path))
            {
                throw new UsageException($"--format idx needs a directory holding an images file and a labels file; '{path}' is not a directory.");
            }

            // The images' shape from the header alone: the pixels are decompressed once, by the load.
            var (imagesPath, _) = Idx.FindFiles(path);
            var (_, rows, columns) = Idx.ReadImageShape(imagesPath);
            return new LoadedData(Idx.LoadDirectory(path, options: limits.Idx), [], rows, columns);
        }

        if (FormatOf(path, format) == DataFormat.Parquet)
        {
            Dataset parquet = ParquetFile.Read(path, ParquetOptionsFor(label, regression, infer));
            return new LoadedData(parquet, parquet.ClassNames, 0, 0);
        }

        CheckCsvFile(path);
        return CsvData.Load(path, label, regression, limits.Csv);
    }

    /// <summary>
    /// How Parquet training data are read: the label column named by <paramref name="label"/> (the last column by default),
    /// classes or targets; with <paramref name="infer"/> (<c>--model mlp</c>), as the column's type says, as a CSV label is.
    /// </summary>
    public static ParquetOptions ParquetOptionsFor(string? label, bool regression, bool infer = false) =>
        new() { LabelColumn = label, Labels = regression ? ParquetLabels.Regression : infer ? ParquetLabels.Infer : ParquetLabels.Classification };

    /// <summary>Refuses, in words that fit, a CSV path that names no file: missing, or a directory (IDX data, say, with --format csv).</summary>
    public static void CheckCsvFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"'{path}' is a directory; --format csv reads a CSV file here (a directory of CSV files is streamed by native train). A directory of IDX files is read without --format, or with --format idx.");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The data file '{path}' does not exist.", path);
        }
    }
}
