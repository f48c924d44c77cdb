using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>
/// The rows of a model with a feature pipeline: raw records keyed by column name —
/// <c>{"income": 52000, "grade": "B", "purpose": null}</c> — each set into the thread's <see cref="TableRow"/> and
/// predicted as soon as it is read, by the model's own table-row calls (so an answer is bit for bit what
/// <see cref="TrainedModel.PredictProbabilities(TableRow, Span{float})"/> gives).
/// </summary>
/// <remarks>
/// A number column takes a JSON number (a string there is refused: numbers are sent as numbers); a category column takes a
/// string, matched as the pipeline matches a CSV field (<see cref="TableRow.SetText(int, ReadOnlySpan{char})"/>: a blank
/// or a missing token is missing, an unseen value goes by the column's policy); null, or a column left out, is missing —
/// but a record must give at least one column the model reads (<c>{}</c> is refused).
/// An ignored column's value is read past. A row as an array of numbers is taken only when every column is a number (one
/// value per number column, in order); otherwise it is refused, saying to send objects.
/// </remarks>
internal ref partial struct PredictionRequest
{
    /// <summary>Whether the rows were predicted as they were read (a model with a pipeline): <see cref="Values"/> holds the outputs.</summary>
    public readonly bool Predicted => _record is not null;

    /// <summary>The predicted class of each row, for a classifier with a pipeline.</summary>
    public readonly int[] Classes => _classes;

    /// <summary>The time spent in the model's calls (not in reading), for the metrics.</summary>
    public readonly TimeSpan Predicting => Stopwatch.GetElapsedTime(0, _predicting);

    /// <summary>Gives the pooled arrays back.</summary>
    public readonly void Return()
    {
        ArrayPool<float>.Shared.Return(_values);
        if (_classes.Length > 0)
        {
            ArrayPool<int>.Shared.Return(_classes);
        }

        if (_text.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_text);
        }
    }

    private void ReadRecord(ref Utf8JsonReader reader)
    {
        TableRow record = _record!;
        record.Clear();
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                ReadColumns(ref reader, record);
                break;
            case JsonTokenType.StartArray when !_model.Pipeline!.HasCategories:
                ReadNumbers(ref reader, record);
                break;
            case JsonTokenType.StartArray:
                throw BadRequest($"row {_rows + 1} (rows[{_rows}]) is an array, but the model '{_name}' takes records with categories: send each row as an object keyed by column name ({Example()}).");
            default:
                throw BadRequest($"row {_rows + 1} (rows[{_rows}]) must be an object keyed by column name ({Example()}); found {Found(ref reader)}.");
        }

        Predict(record);
    }

    private void ReadColumns(ref Utf8JsonReader reader, TableRow record)
    {
        IReadOnlyList<PipelineColumn> columns = record.Columns;
        int words = (columns.Count + 63) / 64;
        ulong[]? rented = words > 8 ? ArrayPool<ulong>.Shared.Rent(words) : null;
        Span<ulong> seen = rented is null ? stackalloc ulong[8] : rented.AsSpan(0, words);
        seen.Clear();
        int given = 0;
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!record.TryGetColumn(Chars(ref reader, "a column name"), out int column))
                {
                    throw BadRequest($"row {_rows + 1} (rows[{_rows}]) has a column '{Text(ref reader)}' the model '{_name}' does not take; it takes {Names(columns.Select(c => c.Name).ToList())}.");
                }

                if ((seen[column / 64] & (1UL << (column % 64))) != 0)
                {
                    throw BadRequest($"row {_rows + 1} (rows[{_rows}]) has the column '{columns[column].Name}' twice.");
                }

                seen[column / 64] |= 1UL << (column % 64);
                given += columns[column].Kind == ColumnKind.Ignored ? 0 : 1;
                reader.Read();
                SetValue(ref reader, record, column, columns[column]);
            }

            // A record that names none of the inputs (`{}`, or only ignored columns) would be answered from the fills alone,
            // the same answer for every such row: a client sending empty objects gets told, not a confident answer. A column
            // given as null is a blank the client chose.
            if (given == 0)
            {
                throw BadRequest($"row {_rows + 1} (rows[{_rows}]) gives none of the columns the model '{_name}' reads, so every value would be missing; send at least one ({Example()}), null for a blank.");
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<ulong>.Shared.Return(rented);
            }
        }
    }

    private void SetValue(ref Utf8JsonReader reader, TableRow record, int column, PipelineColumn target)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                record.SetMissing(column);
                return;
            case JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False when target.Kind == ColumnKind.Ignored:
                return;
            case JsonTokenType.Number when target.Kind == ColumnKind.Number:
                record.SetNumber(column, Number(ref reader, -1, target));
                return;
            case JsonTokenType.String when target.Kind == ColumnKind.Category:
                try
                {
                    record.SetText(column, Chars(ref reader, "a category"));
                }
                catch (ArgumentException e)
                {
                    throw BadRequest($"row {_rows + 1} (rows[{_rows}]): {CommandLine.FirstLine(e)}");
                }

                return;
            case JsonTokenType.String:
                throw BadRequest($"{Where(-1, target)} holds numbers: found a string (\"{Text(ref reader)}\"); send a JSON number, or null for a missing value.");
            case JsonTokenType.Number:
                throw BadRequest($"{Where(-1, target)} holds categories: found a number ({Encoding.UTF8.GetString(reader.ValueSpan)}); send the category as a string, or null for a missing value.");
            default:
                throw BadRequest($"{Where(-1, target)}: expected {(target.Kind == ColumnKind.Category ? "a string (a category)" : "a number")} or null; found {Found(ref reader)}.");
        }
    }

    /// <summary>Where a value stands, for a message: by name in an object row, by position and name in an array row.</summary>
    private readonly string Where(int position, PipelineColumn target) => position < 0
        ? $"row {_rows + 1} (rows[{_rows}]), column '{target.Name}'"
        : $"row {_rows + 1}, column {position + 1} (rows[{_rows}][{position}], '{target.Name}')";

    private void ReadNumbers(ref Utf8JsonReader reader, TableRow record)
    {
        IReadOnlyList<PipelineColumn> columns = record.Columns;
        int column = -1;
        int given = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            column = NextNumberColumn(columns, column);
            if (column == columns.Count)
            {
                throw BadRequest($"row {_rows + 1} (rows[{_rows}]) has more than {_features} values; the model '{_name}' takes {_features} numbers{Names()}.");
            }

            if (reader.TokenType != JsonTokenType.Number)
            {
                throw BadRequest($"{Where(given, columns[column])}: expected a number; found {Found(ref reader)}.");
            }

            record.SetNumber(column, Number(ref reader, given, columns[column]));
            given++;
        }

        if (given < _features)
        {
            throw BadRequest($"row {_rows + 1} (rows[{_rows}]) has {given} values; the model '{_name}' takes {_features} numbers{Names()}.");
        }
    }

    private static int NextNumberColumn(IReadOnlyList<PipelineColumn> columns, int column)
    {
        do
        {
            column++;
        }
        while (column < columns.Count && columns[column].Kind != ColumnKind.Number);
        return column;
    }

    private void Predict(TableRow record)
    {
        Span<float> outputs = NextOutputs();
        long started = Stopwatch.GetTimestamp();
        bool finite;
        if (_classes.Length > 0)
        {
            _model.PredictProbabilities(record, outputs);
            finite = _model.TryPredictClass(record, out _classes[_rows]);
        }
        else
        {
            _model.PredictValues(record, outputs);
            finite = !float.IsNaN(outputs[0]);
        }

        _predicting += Stopwatch.GetTimestamp() - started;
        if (!finite || float.IsNaN(outputs[0]))
        {
            throw BadRequest($"row {_rows + 1} (rows[{_rows}]): the model '{_name}' cannot answer it: its outputs are not finite.");
        }
    }

    private Span<float> NextOutputs()
    {
        int needed = (_rows + 1) * _width;
        if (needed > _values.Length)
        {
            float[] larger = ArrayPool<float>.Shared.Rent(Math.Max(needed, _values.Length * 2));
            _values.AsSpan(0, _rows * _width).CopyTo(larger);
            ArrayPool<float>.Shared.Return(_values);
            _values = larger;
        }

        if (_classes.Length > 0 && _rows == _classes.Length)
        {
            int[] larger = ArrayPool<int>.Shared.Rent(_classes.Length * 2);
            _classes.AsSpan(0, _rows).CopyTo(larger);
            ArrayPool<int>.Shared.Return(_classes);
            _classes = larger;
        }

        return _values.AsSpan(_rows * _width, _width);
    }

    /// <summary>A string token's characters, unescaped, in the request's pooled buffer (valid until the next call).</summary>
    private ReadOnlySpan<char> Chars(ref Utf8JsonReader reader, string what)
    {
        int most = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        if (_text.Length < most)
        {
            if (_text.Length > 0)
            {
                ArrayPool<char>.Shared.Return(_text);
            }

            _text = [];
            _text = ArrayPool<char>.Shared.Rent(Math.Max(most, 64));
        }

        try
        {
            return _text.AsSpan(0, reader.CopyString(_text));
        }
        catch (InvalidOperationException)
        {
            throw BadRequest($"row {_rows + 1} (rows[{_rows}]): {what} is not valid UTF-8.");
        }
    }

    private readonly float Number(ref Utf8JsonReader reader, int position, PipelineColumn target) =>
        reader.TryGetDouble(out double value) && float.IsFinite((float)value)
            ? (float)value
            : throw BadRequest($"{Where(position, target)}: {Encoding.UTF8.GetString(reader.ValueSpan)} is beyond the range of a float (±3.4e38).");

    /// <summary>The first columns as a record would name them, for a message.</summary>
    private readonly string Example()
    {
        IEnumerable<string> shown = _record!.Columns.Where(c => c.Kind != ColumnKind.Ignored).Take(3).Select(c => c.Kind switch
        {
            ColumnKind.Category => $"\"{c.Name}\": \"{(c.Categories.Count > 0 ? c.Categories[0] : "…")}\"",
            _ => string.Create(CultureInfo.InvariantCulture, $"\"{c.Name}\": {c.Fill}"),
        });
        return "{" + string.Join(", ", shown) + ", …}";
    }

    /// <summary>The thread's table rows, one per pipeline it served last (a few, so models served side by side do not take turns making them).</summary>
    private static class Records
    {
        private const int Kept = 4;

        [ThreadStatic]
        private static TableRow?[]? t_rows;

        [ThreadStatic]
        private static int t_next;

        public static TableRow Of(TrainedModel model)
        {
            FeaturePipeline pipeline = model.Pipeline!;
            TableRow?[] rows = t_rows ??= new TableRow?[Kept];
            foreach (TableRow? row in rows)
            {
                if (row is not null && ReferenceEquals(row.Pipeline, pipeline))
                {
                    return row;
                }
            }

            TableRow made = model.CreateRow();
            rows[t_next] = made;
            t_next = (t_next + 1) % Kept;
            return made;
        }
    }
}
