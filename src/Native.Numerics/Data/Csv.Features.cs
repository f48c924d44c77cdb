namespace Native.Numerics;

public static partial class Csv
{
    /// <summary>
    /// Reads rows of <paramref name="features"/> numbers — the input of a prediction — from the CSV file at
    /// <paramref name="path"/>; see <see cref="ReadFeatures(Stream, int, string?, string?, CsvOptions?)"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FileFormatException">The file does not hold such rows; the message says where and why.</exception>
    public static float[] ReadFeatures(string path, int features, string? labelColumn = null, CsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        return ReadFeatures(file, features, labelColumn, path, options);
    }

    /// <summary>
    /// Reads rows of <paramref name="features"/> numbers — the input of a prediction — from CSV text: a header
    /// row, then data rows, read as <see cref="Read(Stream, CsvOptions?, string?)"/> reads features. A header
    /// with exactly <paramref name="features"/> columns makes every column a feature; a header with one column
    /// more holds a label too, and that column — the one named <paramref name="labelColumn"/>, else the last —
    /// is skipped whatever it holds. Returns the rows, row-major. To read a row at a time, or to match a model's
    /// feature names, use <see cref="CsvFeatureReader"/>.
    /// </summary>
    /// <param name="stream">The text; read to its end and left open.</param>
    /// <param name="features">The number of features a row must have.</param>
    /// <param name="labelColumn">The name of a label column to skip, or null for the last column when there is one too many.</param>
    /// <param name="name">What to call the stream in error messages, or null.</param>
    /// <param name="options">The separator and limits; null for the defaults.</param>
    /// <exception cref="FileFormatException">The text does not hold such rows.</exception>
    public static float[] ReadFeatures(Stream stream, int features, string? labelColumn = null, string? name = null, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        var reader = new CsvFeatureReader(stream, name, options);
        reader.SelectByCount(features, labelColumn);
        float[] values = new float[Math.Max(features, 256)];
        int rows = 0;
        while (true)
        {
            if ((rows + 1L) * features > Array.MaxLength)
            {
                throw FileFormatException.AtLine(name, reader.Line, 1, FormattableString.Invariant($"too many rows: {rows + 1} rows of {features} features are more than one array can hold."));
            }

            if ((rows + 1L) * features > values.Length)
            {
                Array.Resize(ref values, (int)Math.Min(Math.Max(2L * values.Length, (rows + 1L) * features), Array.MaxLength));
            }

            if (!reader.ReadRow(values.AsSpan(rows * features, features)))
            {
                break;
            }

            rows++;
        }

        if (rows == 0)
        {
            throw FileFormatException.AtLine(name, reader.HeaderLine, 1, "the file has a header but no data rows; expected at least one row after it.");
        }

        return values[..(rows * features)];
    }
}
