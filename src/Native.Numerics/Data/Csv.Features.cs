using System.Globalization;
using System.Text;

namespace Native.Numerics;

public static partial class Csv
{
    /// <summary>
    /// Reads rows of <paramref name="features"/> numbers — the input of a prediction — from the CSV file at
    /// <paramref name="path"/>; see <see cref="ReadFeatures(Stream, int, string?, string?)"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FileFormatException">The file does not hold such rows; the message says where and why.</exception>
    public static float[] ReadFeatures(string path, int features, string? labelColumn = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        return ReadFeatures(file, features, labelColumn, path);
    }

    /// <summary>
    /// Reads rows of <paramref name="features"/> numbers — the input of a prediction — from CSV text: a header
    /// row, then data rows, read as <see cref="Read(Stream, CsvOptions?, string?)"/> reads features. A header
    /// with exactly <paramref name="features"/> columns makes every column a feature; a header with one column
    /// more holds a label too, and that column — the one named <paramref name="labelColumn"/>, else the last —
    /// is skipped whatever it holds. Returns the rows, row-major.
    /// </summary>
    /// <param name="stream">The text; read to its end and left open.</param>
    /// <param name="features">The number of features a row must have.</param>
    /// <param name="labelColumn">The name of a label column to skip, or null for the last column when there is one too many.</param>
    /// <param name="name">What to call the stream in error messages, or null.</param>
    /// <exception cref="FileFormatException">The text does not hold such rows.</exception>
    public static float[] ReadFeatures(Stream stream, int features, string? labelColumn = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        using var text = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true, bufferSize: 4096, leaveOpen: true);
        var records = new CsvRecordReader(text, name, Default.Separator);
        if (!records.Next())
        {
            throw FileFormatException.AtLine(name, 1, 1, string.Create(CultureInfo.InvariantCulture, $"the file is empty; expected a header row, then rows of {features} features."));
        }

        // The header: every column a feature, or one label column more to skip.
        int headerLine = records.Line;
        int columns = records.Fields.Count;
        var names = new List<string>(columns);
        bool numbers = true;
        for (int j = 0; j < columns; j++)
        {
            names.Add(records.Text(j).ToString());
            numbers &= float.TryParse(records.Text(j), NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        }

        if (numbers)
        {
            // Taken as a header, a first row of numbers would silently lose a row.
            throw FileFormatException.AtLine(name, headerLine, 1, $"the first row holds only numbers ({Quote(string.Join(",", names))}); expected a header row naming the columns.");
        }

        int skip = -1;
        if (columns == features + 1)
        {
            skip = labelColumn is null ? columns - 1 : names.IndexOf(labelColumn);
            if (skip < 0)
            {
                throw FileFormatException.AtLine(name, headerLine, 1, $"the header has {columns} columns, one more than the model's {features} features, but none is named {Quote(labelColumn)}; the header names {Quote(string.Join(", ", names))}.");
            }
        }
        else if (columns != features)
        {
            throw FileFormatException.AtLine(name, headerLine, 1, string.Create(CultureInfo.InvariantCulture, $"the header has {columns} columns; expected {features} (the model's features), or {features + 1} with a label column to skip."));
        }

        float[] values = new float[Math.Max(features, 256)];
        int rows = 0;
        while (records.Next())
        {
            IReadOnlyList<CsvRecordReader.Field> fields = records.Fields;
            if (fields.Count != columns)
            {
                CsvRecordReader.Field at = fields[Math.Min(fields.Count, columns) - (fields.Count > columns ? 0 : 1)];
                throw FileFormatException.AtLine(name, at.Line, at.Column, string.Create(CultureInfo.InvariantCulture, $"expected {columns} fields, as in the header; found {fields.Count}."));
            }

            if ((rows + 1L) * features > Array.MaxLength)
            {
                throw FileFormatException.AtLine(name, records.Line, 1, string.Create(CultureInfo.InvariantCulture, $"too many rows: {rows + 1} rows of {features} features are more than one array can hold."));
            }

            if ((rows + 1L) * features > values.Length)
            {
                Array.Resize(ref values, (int)Math.Min(Math.Max(2L * values.Length, (rows + 1L) * features), Array.MaxLength));
            }

            Span<float> row = values.AsSpan(rows * features, features);
            for (int j = 0, k = 0; j < columns; j++)
            {
                if (j != skip)
                {
                    row[k++] = FeatureValue(records, j, name);
                }
            }

            rows++;
        }

        if (rows == 0)
        {
            throw FileFormatException.AtLine(name, headerLine, 1, "the file has a header but no data rows; expected at least one row after it.");
        }

        return values[..(rows * features)];
    }

    // The finite float in field j, or an error saying what is there instead.
    private static float FeatureValue(CsvRecordReader records, int j, string? name)
    {
        ReadOnlySpan<char> text = records.Text(j);
        CsvRecordReader.Field field = records.Fields[j];
        if (text.IsWhiteSpace())
        {
            throw FileFormatException.AtLine(name, field.Line, field.Column, "the feature is empty; expected a number.");
        }

        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
        {
            throw FileFormatException.AtLine(name, field.Line, field.Column, $"the feature is {Quote(text)}; expected a finite number (invariant culture: digits, '.' for decimals, an optional exponent).");
        }

        return value;
    }
}
