using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Native.Numerics.Kernels;

namespace Native.Numerics;

// Fitting a pipeline to a table: one pass over the records, then the kinds decided, the categories kept, the rows encoded.
public static partial class Table
{
    /// <summary>Tables of fewer rows keep a category column whose values are all distinct (too few to call it an identifier).</summary>
    private const int IdentifierRows = 20;

    /// <summary>The rows <see cref="Fitting"/> encodes at a time: a divisor of a column chunk's length, whose rows stay in the core's cache.</summary>
    private const int EncodeBlock = 128;

    /// <param name="records">The records, the header first.</param>
    /// <param name="name">What to call the text in error messages, or null.</param>
    /// <param name="options">How to read and what to fit, checked.</param>
    /// <param name="vectorized">Whether the standardizer's statistics take the vector loop where they can (false: the scalar one, for tests).</param>
    private sealed partial class Fitting(CsvRecordReader records, string? name, TableOptions options, bool vectorized = true)
    {
        private readonly string[] _tokens = [.. options.MissingTokens];
        private TableHeader _header = null!;
        private ColumnReading?[] _columns = [];
        private ColumnReading[] _active = [];
        private CsvLabelColumn[] _labels = [];
        private int[] _labelColumns = [];
        private int _rows;

        public TableData Read()
        {
            _header = TableHeader.Read(records, name, options, options.DecimalComma);
            if (_header.Names.Length < 2)
            {
                throw _header.Error(0, $"the header has 1 column ({Csv.Quote(_header.Names[0])}); expected at least 2: features and a label (is the delimiter '{records.Separator}' right?).");
            }

            // One label column, or several: the targets of a multi-output regression, each read as values.
            _labelColumns = _header.Labels(options);
            CsvLabels kind = _labelColumns.Length > 1 ? CsvLabels.Regression : options.Labels;
            _labels = [.. _labelColumns.Select(j => new CsvLabelColumn(name, _header.Names[j], kind, options.DecimalComma, options.ThousandsSeparator ?? '\0'))];
            MakeColumns();
            int fields = _header.Names.Length;
            while (records.Next(expectedFields: fields))
            {
                ReadRecord(fields);
            }

            if (_rows == 0)
            {
                throw FileFormatException.AtLine(name, _header.Line, 1, "the file has a header but no data rows; expected at least one row after it.");
            }

            return Finish();
        }

        private void MakeColumns()
        {
            foreach (string told in options.ColumnKinds.Keys)
            {
                int j = _header.IndexOf(told);
                if (j < 0)
                {
                    throw _header.Error(0, $"no column is named {Csv.Quote(told)}, whose kind was told{TableHeader.Suggestion(_header.Names, told)}; the header names {_header.NameList()}.");
                }

                if (Array.IndexOf(_labelColumns, j) >= 0)
                {
                    throw _header.Error(j, $"{Csv.Quote(told)} is {(_labelColumns.Length == 1 ? "the label column" : "a label column")}; only feature columns have a kind.");
                }
            }

            var budget = new TableVocabularyBudget(options.MaxDistinctValues, options.MaxDistinctCharacters);
            _columns = new ColumnReading?[_header.Names.Length];
            var active = new List<ColumnReading>();
            for (int j = 0; j < _columns.Length; j++)
            {
                if (Array.IndexOf(_labelColumns, j) >= 0)
                {
                    continue;
                }

                ColumnKind? told = options.ColumnKinds.TryGetValue(_header.Names[j], out ColumnKind kind) ? kind : null;
                var column = new ColumnReading(_header.Names[j], j, told, budget, _tokens, options.DecimalComma, options.ThousandsSeparator ?? '\0');
                _columns[j] = column;
                if (told != ColumnKind.Ignored)
                {
                    active.Add(column);
                }
            }

            _active = [.. active];
        }

        private void ReadRecord(int fields)
        {
            int count = records.FieldCount;
            if (count != fields)
            {
                int at = Math.Min(count, fields) - (count > fields ? 0 : 1);
                throw FileFormatException.AtLine(name, records.LineOf(at), records.ColumnOf(at), string.Create(CultureInfo.InvariantCulture, $"expected {fields} fields, as in the header; found {(count > fields ? $"more than {fields}" : count.ToString(CultureInfo.InvariantCulture))}."));
            }

            if (_rows == int.MaxValue - 1)
            {
                throw FileFormatException.AtLine(name, records.Line, 1, "too many rows for one table.");
            }

            // The record's text with the reader's slack behind it: a field's first four characters can be read at once.
            ReadOnlySpan<char> text = records.RecordTextWithSlack;
            ref readonly char start = ref MemoryMarshal.GetReference(text);
            ref readonly CsvRecordReader.FieldSpan spans = ref MemoryMarshal.GetReference(records.Fields);
            foreach (ColumnReading column in _active)
            {
                // Most fields of a numeric table are small integers whose column only keeps the number: inline, no call.
                // (Every column's index is below the header's field count, which the record has.)
                CsvRecordReader.FieldSpan field = Unsafe.Add(ref Unsafe.AsRef(in spans), column.Index);
                // So are most fields of a category column (a text with an id already, counted again) and of a column of
                // decimals (a number, and its text's id when the column may yet be a category).
                if (!column.TryAddKnownSmall(in Unsafe.Add(ref Unsafe.AsRef(in start), field.Start), field.Length)
                    && !column.TryAddKnownText(text[field.Start..], field.Length)
                    && !column.TryAddKnownNumber(text[field.Start..], field.Length))
                {
                    column.Add(text[field.Start..], field.Length, records, name);
                }
            }

            for (int k = 0; k < _labelColumns.Length; k++)
            {
                int j = _labelColumns[k];
                ReadOnlySpan<char> label = records.Text(j).Trim();
                if (TableText.IsMissing(label, _tokens))
                {
                    throw FileFormatException.AtLine(name, records.LineOf(j), records.ColumnOf(j), $"column {Csv.Quote(_header.Names[j])}: the label is missing ({MissingLabel(label)}); every row needs one.");
                }

                _labels[k].Add(label, records.LineOf(j), records.ColumnOf(j));
            }

            _rows++;
        }

        /// <summary>The kinds decided, the pipeline made, the rows encoded.</summary>
        private TableData Finish()
        {
            var plans = new List<ColumnPlan>();
            var columns = new List<PipelineColumn>();
            int offset = 0;
            foreach (ColumnReading? reading in _columns)
            {
                if (reading is null)
                {
                    continue;
                }

                (PipelineColumn column, ColumnPlan? plan) = Decide(reading, offset);
                columns.Add(column);
                offset += column.Width;
                if (plan is not null)
                {
                    plans.Add(plan);
                }
            }

            if (offset == 0)
            {
                string notes = string.Join("; ", columns.Where(column => column.Note is not null).Select(column => $"{Csv.Quote(column.Name)}: {column.Note}"));
                throw FileFormatException.AtLine(name, _header.Line, 1, $"no column is left to learn from: every column but the label is ignored{(notes.Length > 0 ? $" ({notes})" : "")}.");
            }

            if (!Dataset.Fits(_rows, offset))
            {
                throw FileFormatException.InFile(name, string.Create(CultureInfo.InvariantCulture, $"{_rows} rows of {offset} features are more than one dataset can hold; lower MaxCategories (native: --max-categories) or ignore columns."));
            }

            RowStatistics? statistics = options.Standardize ? NumberStatistics(plans, offset, vectorized) : null;
            AlignedBuffer storage = Encode(plans, offset, statistics);
            string[] labelNames = [.. _labelColumns.Select(j => _header.Names[j])];
            Standardizer? standardizer = statistics is null ? null : FitStandardizer(statistics, storage.Span, plans, offset);
            Dataset data = _labels.Length == 1 ? _labels[0].Build(storage, _rows, offset, _header.Line, _header.Columns[_labelColumns[0]]) : Targets(storage, offset);
            PipelineColumn[] fitted = [.. columns];
            var pipeline = new FeaturePipeline(fitted, standardizer, _tokens, options.DecimalComma, options.Imputation, options.ThousandsSeparator);
            return new TableData(data.WithFeatureNames(pipeline.FeatureNames).WithLabelNames(labelNames), pipeline);
        }

        /// <summary>The rows with several targets each (a multi-output regression), row after row, in the label columns' order.</summary>
        private Dataset Targets(AlignedBuffer storage, int features)
        {
            int k = _labels.Length;
            float[] targets = new float[checked(_rows * k)];
            for (int t = 0; t < k; t++)
            {
                List<float> column = _labels[t].TargetValues;
                for (int i = 0; i < _rows; i++)
                {
                    targets[(i * k) + t] = column[i];
                }
            }

            return Dataset.FromStorage(storage, _rows, features, null, 0, null, targets, k);
        }

        /// <summary>What a column becomes, and how its rows are encoded (null when it writes nothing).</summary>
        private (PipelineColumn Column, ColumnPlan? Plan) Decide(ColumnReading reading, int offset)
        {
            bool inferred = reading.Told is null;
            if (reading.Told == ColumnKind.Ignored)
            {
                return (Ignored(reading, inferred: false, note: null), null);
            }

            if (reading.Present == 0)
            {
                return (Ignored(reading, inferred, "every value is missing: ignored"), null);
            }

            ColumnKind kind = reading.Told ?? (reading.AllNumbers ? ColumnKind.Number : ColumnKind.Category);
            if (kind == ColumnKind.Number)
            {
                if (reading.FirstNonFinite is (int line, int column, string text))
                {
                    throw FileFormatException.AtLine(name, line, column, $"column {Csv.Quote(reading.Name)}: {Csv.Quote(text)} is not a finite number, in a column of numbers; if it means missing, add it to the missing tokens (native: --missing {Csv.Quote(text.Trim())}), or tell the column's kind.");
                }

                if (inferred && Table.LooksLikeIdentifier(reading.Name) && reading.AllIntegers && AllDistinct(reading.Values!) && reading.Present >= IdentifierRows)
                {
                    string named = Table.LooksLikeRowIndex(reading.Name) ? "a row index as pandas writes one (to_csv without index=False)" : "named like an identifier";
                    return (Ignored(reading, inferred, string.Create(CultureInfo.InvariantCulture, $"{reading.Present:N0} distinct integers, {named}: ignored (native: --numeric or --categorical to use it)")), null);
                }

                return NumberColumn(reading, offset, inferred);
            }

            reading.DropNumbers();
            if (inferred && reading.Present >= IdentifierRows && (reading.Overflowed || reading.Others > 0 || reading.Distinct == reading.Present))
            {
                string why = reading.Overflowed
                    ? "more distinct values than the reading holds (TableOptions.MaxDistinctValues)"
                    : reading.Others > 0 ? string.Create(CultureInfo.InvariantCulture, $"more than {ColumnReading.UndecidedLimit:N0} distinct numbers, and text") : string.Create(CultureInfo.InvariantCulture, $"all {reading.Present:N0} values distinct");
                string comma = DecimalCommas(reading) ? "; " + DecimalCommaHint : ThousandsHint(reading) is string thousands ? "; " + thousands : "";
                if (comma.Length == 0 && ShapeHint(reading) is string shape)
                {
                    // Percentages, amounts or dates: no identifier, and no category worth keeping either.
                    return (Ignored(reading, inferred, $"{why}: ignored; {shape}"), null);
                }

                string lone = comma.Length == 0 && reading.LoneText is (string token, long times) ? string.Create(CultureInfo.InvariantCulture, $"; every value but {Csv.Quote(token)} ({times:N0} times) is a number: if it means missing, --missing {Csv.Quote(token.Trim())}") : "";
                return (Ignored(reading, inferred, $"{why}: an identifier or free text? ignored (native: --categorical to keep its most frequent values){lone}{comma}"), null);
            }

            return CategoryColumn(reading, offset, inferred);
        }
    }

    /// <summary>How a missing label reads in a message: "empty", or the missing token it is (it would have been a class of its own).</summary>
    internal static string MissingLabel(ReadOnlySpan<char> label) =>
        label.IsEmpty ? "empty" : $"{Csv.Quote(label)}, one of the missing tokens (TableOptions.MissingTokens; native: --missing)";

    /// <summary>
    /// Whether a name says identifier: <c>id</c>, or ending in <c>_id</c>, <c>-id</c>, <c> id</c> (any case), or <c>Id</c>/<c>ID</c>
    /// after a lower-case letter; or a row index (<see cref="LooksLikeRowIndex"/>).
    /// </summary>
    internal static bool LooksLikeIdentifier(string name)
    {
        string trimmed = name.Trim();
        if (trimmed.Equals("id", StringComparison.OrdinalIgnoreCase) || LooksLikeRowIndex(trimmed))
        {
            return true;
        }

        if (trimmed.Length < 3)
        {
            return false;
        }

        char before = trimmed[^3];
        string tail = trimmed[^2..];
        return (before is '_' or '-' or ' ' && tail.Equals("id", StringComparison.OrdinalIgnoreCase))
            || (char.IsLower(before) && tail is "Id" or "ID");
    }

    /// <summary>
    /// Whether a name is what pandas gives the row index it writes with <c>to_csv</c>: none (a blank header field),
    /// <c>index</c> (after <c>reset_index</c>), or <c>Unnamed: 0</c> (a file read and written again).
    /// </summary>
    internal static bool LooksLikeRowIndex(string name)
    {
        ReadOnlySpan<char> trimmed = name.AsSpan().Trim();
        const string Unnamed = "Unnamed: ";
        return trimmed.IsEmpty
            || trimmed.Equals("index", StringComparison.OrdinalIgnoreCase)
            || (trimmed.StartsWith(Unnamed, StringComparison.Ordinal) && trimmed.Length > Unnamed.Length && !trimmed[Unnamed.Length..].ContainsAnyExceptInRange('0', '9'));
    }

    /// <summary>How one column's rows are encoded: its numbers, or its ids and each id's slot.</summary>
    private sealed record ColumnPlan(PipelineColumn Column, ChunkedList<float>? Values, ChunkedList<int>? Ids, int[]? SlotOfId);
}
