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
    public static LoadedData Load(string path, string? format, string? label, bool regression, (CsvOptions Csv, IdxOptions Idx) limits)
    {
        format ??= Directory.Exists(path) ? "idx" : "csv";
        if (format == "idx")
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

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The data file '{path}' does not exist.", path);
        }

        return CsvData.Load(path, label, regression, limits.Csv);
    }
}
