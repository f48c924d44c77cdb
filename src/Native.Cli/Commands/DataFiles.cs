using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>A dataset read from the user's files, with what the files said about it.</summary>
/// <param name="Dataset">The rows (a CSV file's keep its column names).</param>
/// <param name="ClassNames">The class names the data gave (string labels in a CSV), or empty.</param>
/// <param name="ImageRows">For image data (IDX), the height of an image; otherwise 0.</param>
/// <param name="ImageColumns">For image data (IDX), the width of an image; otherwise 0.</param>
internal sealed record LoadedData(Dataset Dataset, IReadOnlyList<string> ClassNames, int ImageRows, int ImageColumns);

/// <summary>Reads training and evaluation data: a CSV file, or a directory holding IDX images and labels.</summary>
internal static class DataFiles
{
    /// <summary>The format <paramref name="path"/> is read in: <paramref name="format"/> if given, else IDX for a directory and CSV otherwise.</summary>
    public static DataFormat FormatOf(string path, DataFormat? format) => format ?? (Directory.Exists(path) ? DataFormat.Idx : DataFormat.Csv);

    /// <summary>The files a load of <paramref name="path"/> reads: the CSV file, or the IDX images and labels files of a directory.</summary>
    public static IReadOnlyList<string> Files(string path, DataFormat? format)
    {
        if (FormatOf(path, format) == DataFormat.Idx && Directory.Exists(path))
        {
            var (images, labels) = Idx.FindFiles(path);
            return [images, labels];
        }

        return [path];
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

    public static LoadedData Load(string path, DataFormat? format, string? label, bool regression, (CsvOptions Csv, IdxOptions Idx) limits)
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

        CheckCsvFile(path);
        return CsvData.Load(path, label, regression, limits.Csv);
    }

    /// <summary>Refuses, in words that fit, a CSV path that names no file: missing, or a directory (IDX data, say, with --format csv).</summary>
    public static void CheckCsvFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"'{path}' is a directory; --format csv reads a CSV file. A directory of IDX files is read without --format, or with --format idx.");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The data file '{path}' does not exist.", path);
        }
    }
}
