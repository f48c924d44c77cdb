using Native.Numerics.Parquet;

namespace Native.Numerics;

/// <summary>
/// Reads Parquet files — one, or a directory or glob of part files — into a <see cref="Dataset"/>: the label column by
/// name (by default the last column), the features by name (by default every number column but the label).
/// </summary>
/// <remarks>
/// <para>
/// <b>Numbers</b> of every physical and logical type a data team exports become floats, each rounded once as a CSV
/// reader rounds the same number written out: booleans (0 and 1), signed and unsigned integers of 8 to 64 bits,
/// floats, doubles, 16-bit floats, and decimals stored as INT32, INT64 or byte arrays (up to precision 38); plain,
/// dictionary and delta encodings, every compression the format has, data pages of version 1 and 2. A column may be
/// optional (nullable), but a null value is an error naming its row — there is no imputation — as are NaN, infinity
/// and values beyond the float range.
/// </para>
/// <para>
/// <b>Labels</b> (see <see cref="ParquetLabels"/>): integer columns become classes in numeric order (labels −1, 3, 7
/// become classes 0, 1, 2), booleans the classes false and true, text classes in ordinal order; the dataset's
/// <see cref="Dataset.ClassNames"/> keep the labels as text (integers in canonical form), as <see cref="Csv"/> names
/// them. Float, double and decimal columns are regression targets.
/// </para>
/// <para>
/// <b>Text features</b> are refused, naming the file, the column and its first value: a file with text (or nulls) is read
/// as a table by <see cref="ParquetTable"/>, which fits a <see cref="FeaturePipeline"/>. Dates, timestamps, bytes, lists
/// and nested fields are never features by default and refused when named.
/// </para>
/// <para>
/// <b>Errors</b> are one-line <see cref="FileFormatException"/>s naming the file and what is wrong where — the row
/// group, the column and the row (counted from 0 in its file): a file that is not Parquet (wrong magic, truncated), a
/// damaged footer or data page, a row group declaring more rows than its bytes can hold
/// (<see cref="ParquetOptions.MaxExpansion"/>), a column of the wrong type, a null, a missing column.
/// </para>
/// <para>
/// <b>Memory.</b> Row groups are read one at a time, and of each only the chosen columns; what is kept is the features
/// as floats, one label per row, and each distinct label once. The dataset keeps the column names:
/// <see cref="Dataset.FeatureNames"/> and <see cref="Dataset.LabelName"/>. To stream rows instead, use
/// <see cref="ParquetFeatureReader"/>.
/// </para>
/// </remarks>
public static class ParquetFile
{
    /// <summary>Reads the Parquet file at <paramref name="path"/> — or every <c>*.parquet</c> file of a directory, or the files a glob such as <c>data/part-*.parquet</c> matches — into a dataset.</summary>
    /// <param name="path">A file, a directory, or a file-name pattern with <c>*</c> and <c>?</c>.</param>
    /// <param name="options">The label and feature columns and what the labels are; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">No file is there, or the directory or pattern names none.</exception>
    /// <exception cref="FileFormatException">A file is not a valid Parquet dataset; the message says where and why.</exception>
    /// <exception cref="ArgumentException">The options contradict themselves (a feature named twice, or the label named as a feature).</exception>
    public static Dataset Read(string path, ParquetOptions? options = null)
    {
        IReadOnlyList<string> files = Files(path);
        options = Checked(options);
        return Read(ParquetSource.Open(files[0]), files, options, files.Sum(f => new FileInfo(f).Length));
    }

    /// <summary>Reads Parquet content from <paramref name="stream"/> (readable and seekable: a Parquet file is read from its footer) into a dataset. The stream is left open.</summary>
    /// <param name="stream">The stream, positioned at the file's first byte.</param>
    /// <param name="options">The label and feature columns and what the labels are; null for the defaults.</param>
    /// <param name="name">What to call the stream in error messages (its file name, say), or null.</param>
    /// <exception cref="FileFormatException">The content is not a valid Parquet dataset.</exception>
    public static Dataset Read(Stream stream, ParquetOptions? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options = Checked(options);
        return Read(ParquetSource.Open(stream, name, owned: false), null, options, stream.Length - stream.Position);
    }

    /// <summary>
    /// Opens Parquet files — one, a directory's <c>*.parquet</c> files, or a glob's — to be read once, a row group at a
    /// time, by a <see cref="RowSource"/>'s first pass: the same columns, conversions, labels and errors as
    /// <see cref="Read(string, ParquetOptions?)"/>, with nothing kept per row, so files of any size can be read. For
    /// <c>native train --data</c> on Parquet, and any program that trains on more rows than fit in memory:
    /// <c>RowSource.Open(ParquetFile.OpenRows(path, options), cacheOptions)</c>.
    /// </summary>
    /// <param name="path">A file, a directory, or a file-name pattern with <c>*</c> and <c>?</c>.</param>
    /// <param name="options">The label and feature columns and what the labels are; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">No file is there, or the directory or pattern names none.</exception>
    /// <exception cref="FileFormatException">The first file is not a valid Parquet dataset (later files are checked as they are reached).</exception>
    public static RowReader OpenRows(string path, ParquetOptions? options = null)
    {
        IReadOnlyList<string> files = Files(path);
        options = Checked(options);
        ParquetSource first = ParquetSource.Open(files[0]);
        try
        {
            return new ParquetRows(first, files, Selection.ForTraining(first, options), options);
        }
        catch
        {
            first.Dispose();
            throw;
        }
    }

    /// <summary>The columns of the Parquet file at <paramref name="path"/> (the first file of a directory or glob), as its schema declares them.</summary>
    /// <exception cref="FileNotFoundException">No file is there.</exception>
    /// <exception cref="FileFormatException">The file is not a Parquet file, or its footer is damaged.</exception>
    public static IReadOnlyList<ParquetColumn> ReadColumns(string path)
    {
        using ParquetSource source = ParquetSource.Open(Files(path)[0]);
        return source.Columns;
    }

    /// <summary>
    /// The files <paramref name="path"/> names, in ordinal order: itself, if it is a file; the <c>*.parquet</c> files
    /// of a directory (not its subdirectories); or, for a pattern whose file name holds <c>*</c> or <c>?</c>, the files
    /// it matches.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing is there, or the directory or pattern names no file.</exception>
    /// <exception cref="ArgumentException">A wildcard stands in the directory part of the pattern.</exception>
    public static IReadOnlyList<string> Files(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            string[] inside = Directory.GetFiles(path, "*.parquet", SearchOption.TopDirectoryOnly);
            Array.Sort(inside, StringComparer.Ordinal);
            return inside.Length > 0 ? inside : throw new FileNotFoundException($"The directory '{path}' holds no .parquet files.", path);
        }

        string pattern = Path.GetFileName(path);
        if (pattern.AsSpan().IndexOfAny('*', '?') < 0)
        {
            return File.Exists(path) ? [path] : throw new FileNotFoundException($"The Parquet file '{path}' does not exist.", path);
        }

        string directory = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".";
        if (directory.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            throw new ArgumentException($"The pattern '{path}' has a wildcard in its directory; only the file name may hold '*' and '?'.", nameof(path));
        }

        string[] matched = Directory.Exists(directory) ? Directory.GetFiles(directory, pattern, SearchOption.TopDirectoryOnly) : [];
        Array.Sort(matched, StringComparer.Ordinal);
        return matched.Length > 0 ? matched : throw new FileNotFoundException($"No file matches '{path}'.", path);
    }

    private static ParquetOptions Checked(ParquetOptions? options)
    {
        options ??= ParquetOptions.Default;
        options.Validate();
        return options;
    }

    private static Dataset Read(ParquetSource first, IReadOnlyList<string>? paths, ParquetOptions options, long bytes)
    {
        Selection selection;
        try
        {
            selection = Selection.ForTraining(first, options);
        }
        catch
        {
            first.Dispose();
            throw;
        }

        ParquetColumn label = first.Find(selection.Label!)!;
        string? firstName = first.Name;
        long declared = first.Rows;
        using var batches = new RowBatches(first, paths, selection, options);
        Labels labels = Labels.For(selection.LabelKind, label, firstName);
        var rows = new DatasetRows(batches.Features, declared, bytes);
        int batch = RowBatches.BatchRows(batches.Features);
        while (batches.MoreRows())
        {
            // Room is made only for rows that exist, so storage sized to the declared rows is never grown past them.
            Span<float> destination = rows.Next(batch, batches.File, batches.RowGroup, batches.NextRow);
            rows.Added(batches.Read(destination, batch, labels));
        }

        if (rows.Count == 0)
        {
            throw FileFormatException.InFile(firstName, "the file has a schema but no rows; expected at least one row.");
        }

        string[] featureNames = selection.Features;
        ReadOnlySpan<float> features = rows.Features;
        Dataset data = selection.LabelKind == LabelKind.Targets
            ? Dataset.FromTargets(features, featureNames.Length, labels.TargetValues())
            : FromClasses(features, featureNames.Length, labels.Classes(firstName, label.Name));
        return data.WithFeatureNames(featureNames, label.Name);
    }

    private static Dataset FromClasses(ReadOnlySpan<float> features, int featureCount, (int[] Labels, string[] Names) classes) =>
        Dataset.FromLabels(features, featureCount, classes.Labels, classes.Names.Length, classes.Names);
}
