using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>Why a request was refused: the HTTP status and one line that says what and where.</summary>
internal sealed class RequestRefusedException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>The limits a prediction request is held to before any work.</summary>
/// <param name="MaxRows">The most rows one request may carry.</param>
/// <param name="MaxBodyBytes">The largest body, in bytes.</param>
internal readonly record struct RequestLimits(int MaxRows, long MaxBodyBytes)
{
    /// <summary>The deepest JSON a request may nest: an object, its rows, a row, and one level to spare.</summary>
    public const int MaxDepth = 4;
}

/// <summary>
/// A prediction request's body — <c>{"rows": [[5.1, 3.5, 1.4, 0.2], …]}</c> — read into one span of floats, row after
/// row, for the model's batch calls. Every value is checked as it is read: a row of the wrong length, a value that is not
/// a number or not a float, too many rows, a property that is not <c>rows</c>, each refused with a message naming the row
/// and column (counted from 1, and as the JSON path <c>rows[i][j]</c>, counted from 0).
/// </summary>
/// <remarks>
/// A row may also be an object keyed by column name — <c>{"sepal_length": 5.1, …}</c> — for a model that knows its
/// feature names (trained from CSV): each value goes to its feature's place, and a missing, unknown or repeated column
/// is refused. A model with a feature pipeline takes its records instead (<c>ServeRequests.Tables.cs</c>): each row fills
/// the thread's <see cref="TableRow"/> and is predicted as it is read, so <see cref="Values"/> then holds the outputs.
/// </remarks>
internal ref partial struct PredictionRequest
{
    private readonly TrainedModel _model;
    private readonly string _name;
    private readonly int _features;
    private readonly int _maxRows;
    private readonly TableRow? _record; // a pipeline model's record, the thread's own
    private readonly int _width; // a pipeline model's outputs a row
    private float[] _values;
    private int[] _classes; // a pipeline classifier's classes
    private char[] _text; // a string's characters, for a column name or a category
    private long _predicting; // the timestamp ticks spent in a pipeline model's calls
    private int _rows;

    private PredictionRequest(TrainedModel model, string name, int maxRows)
    {
        _model = model;
        _name = name;
        _features = model.Features;
        _maxRows = maxRows;
        _record = model.Pipeline is null ? null : Records.Of(model);
        _width = model.Task == ModelTask.Regression ? model.Outputs : model.Classes;
        _values = ArrayPool<float>.Shared.Rent((_record is null ? _features : _width) * 4);
        _classes = _record is null || model.Task == ModelTask.Regression ? [] : ArrayPool<int>.Shared.Rent(4);
        _text = [];
    }

    /// <summary>The rows read, row after row, in a pooled array (for a model with a pipeline, their outputs): give it back with <see cref="Return"/>.</summary>
    public readonly float[] Values => _values;

    /// <summary>The number of rows read.</summary>
    public readonly int Rows => _rows;

    /// <summary>Reads the body of a request to <paramref name="name"/>'s model.</summary>
    /// <exception cref="RequestRefusedException">The body is not a request this model can answer: 400, or 413 for too many rows.</exception>
    public static PredictionRequest Read(ReadOnlySpan<byte> body, TrainedModel model, string name, RequestLimits limits)
    {
        if (body.IsEmpty)
        {
            // The JSON reader's words for it ("does not contain any JSON tokens … when isFinalBlock is true") are its own.
            throw BadRequest("the body is empty; send a JSON object, {\"rows\": […]}.");
        }

        var request = new PredictionRequest(model, name, limits.MaxRows);
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = RequestLimits.MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            request.ReadBody(ref reader);
            return request;
        }
        catch (JsonException e)
        {
            request.Return();
            throw BadRequest($"the body is not valid JSON: {Plain(e)}");
        }
        catch (InvalidOperationException e) when (reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.String)
        {
            // A name compared or a string read whose \u escapes are half a surrogate pair ("rows\ud800"): the reader's
            // unescaping throws here, where valid JSON text can hold it. It was answered 500.
            request.Return();
            throw BadRequest(string.Create(CultureInfo.InvariantCulture, $"the string at byte {reader.TokenStartIndex + 1} of the body is not valid text: {e.Message.TrimEnd('.')} (a \\u escape of half a surrogate pair?)."));
        }
        catch
        {
            request.Return();
            throw;
        }
    }

    private void ReadBody(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw BadRequest($"the body must be a JSON object, {{\"rows\": [[…], …]}}; found {Found(ref reader)}.");
        }

        bool rows = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("rows"u8))
            {
                throw BadRequest($"the body has a property '{Text(ref reader)}'; a request holds only \"rows\".");
            }

            if (rows)
            {
                throw BadRequest("the body has \"rows\" twice.");
            }

            rows = true;
            reader.Read();
            ReadRows(ref reader);
        }

        if (!rows)
        {
            // A pipeline model takes records by column name (its feature count, one-hot slots included, is no row's length).
            throw BadRequest(_record is null
                ? "the body has no \"rows\": send {\"rows\": [[…], …]}, one array of " + _features.ToString(CultureInfo.InvariantCulture) + " numbers a row."
                : $"the body has no \"rows\": send {{\"rows\": [{Example()}, …]}}, one object a row keyed by column name.");
        }

        if (reader.Read())
        {
            throw BadRequest("the body goes on after its object ends.");
        }
    }

    private void ReadRows(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw BadRequest($"\"rows\" must be an array of rows; found {Found(ref reader)}.");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (_rows == _maxRows)
            {
                throw new RequestRefusedException(StatusCodes.PayloadTooLarge, $"the request has more than {_maxRows:N0} rows, the most one request may carry (--max-rows); send them in several requests.");
            }

            if (_record is not null)
            {
                ReadRecord(ref reader);
                _rows++;
                continue;
            }

            Span<float> row = NextRow();
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    ReadPositional(ref reader, row);
                    break;
                case JsonTokenType.StartObject:
                    ReadNamed(ref reader, row);
                    break;
                default:
                    throw BadRequest($"row {_rows + 1} (rows[{_rows}]) must be an array of {_features} numbers{(_model.FeatureNames.Count > 0 ? " or an object keyed by column name" : "")}; found {Found(ref reader)}.");
            }

            _rows++;
        }

        if (_rows == 0)
        {
            throw BadRequest("\"rows\" is empty: send at least one row.");
        }
    }

    private readonly void ReadPositional(ref Utf8JsonReader reader, Span<float> row)
    {
        int column = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (column == _features)
            {
                throw BadRequest($"row {_rows + 1} (rows[{_rows}]) has more than {_features} values; the model '{_name}' takes {_features} features{Names()}.");
            }

            row[column] = Number(ref reader, column);
            column++;
        }

        if (column < _features)
        {
            throw BadRequest($"row {_rows + 1} (rows[{_rows}]) has {column} values; the model '{_name}' takes {_features} features{Names()}.");
        }
    }

    private readonly void ReadNamed(ref Utf8JsonReader reader, Span<float> row)
    {
        IReadOnlyList<string> names = _model.FeatureNames;
        if (names.Count != _features)
        {
            throw BadRequest($"row {_rows + 1} (rows[{_rows}]) is an object, but the model '{_name}' does not know its columns' names: send each row as an array of {_features} numbers.");
        }

        // One bit per feature, for a repeated or missing column: at most 64 bits on the stack, more from the pool.
        int words = (_features + 63) / 64;
        ulong[]? rented = words > 8 ? ArrayPool<ulong>.Shared.Rent(words) : null;
        Span<ulong> seen = rented is null ? stackalloc ulong[8] : rented.AsSpan(0, words);
        seen.Clear();
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int column = Column(ref reader, names);
                if ((seen[column / 64] & (1UL << (column % 64))) != 0)
                {
                    throw BadRequest($"row {_rows + 1} (rows[{_rows}]) has the column '{names[column]}' twice.");
                }

                seen[column / 64] |= 1UL << (column % 64);
                reader.Read();
                row[column] = Number(ref reader, column);
            }

            for (int column = 0; column < _features; column++)
            {
                if ((seen[column / 64] & (1UL << (column % 64))) == 0)
                {
                    throw BadRequest($"row {_rows + 1} (rows[{_rows}]) has no column '{names[column]}'; the model '{_name}' takes {Names(names)}.");
                }
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

    private readonly int Column(ref Utf8JsonReader reader, IReadOnlyList<string> names)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (reader.ValueTextEquals(names[i]))
            {
                return i;
            }
        }

        throw BadRequest($"row {_rows + 1} (rows[{_rows}]) has a column '{Text(ref reader)}' the model '{_name}' does not take; it takes {Names(names)}.");
    }

    private readonly float Number(ref Utf8JsonReader reader, int column)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw BadRequest($"{Where(column)}: expected a number; found {Found(ref reader)}.");
        }

        if (!reader.TryGetDouble(out double value) || !float.IsFinite((float)value))
        {
            throw BadRequest($"{Where(column)}: {Encoding.UTF8.GetString(reader.ValueSpan)} is beyond the range of a float (±3.4e38).");
        }

        return (float)value;
    }

    private readonly string Where(int column) =>
        $"row {_rows + 1}, column {column + 1} (rows[{_rows}][{column}]{(_model.FeatureNames.Count == _features ? $", '{_model.FeatureNames[column]}'" : "")})";

    private Span<float> NextRow()
    {
        int needed = (_rows + 1) * _features;
        if (needed > _values.Length)
        {
            float[] larger = ArrayPool<float>.Shared.Rent(Math.Max(needed, _values.Length * 2));
            _values.AsSpan(0, _rows * _features).CopyTo(larger);
            ArrayPool<float>.Shared.Return(_values);
            _values = larger;
        }

        return _values.AsSpan(_rows * _features, _features);
    }

    private readonly string Names() => _model.FeatureNames.Count == _features ? $" ({Names(_model.FeatureNames)})" : "";

    private static string Names(IReadOnlyList<string> names) =>
        names.Count <= 12 ? string.Join(", ", names) : string.Join(", ", names.Take(12)) + $" and {names.Count - 12} more";

    private static string Found(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.None => "nothing",
        JsonTokenType.String => $"a string (\"{Text(ref reader)}\")",
        JsonTokenType.Number => $"a number ({Encoding.UTF8.GetString(reader.ValueSpan)})",
        JsonTokenType.True or JsonTokenType.False => $"{(reader.TokenType == JsonTokenType.True ? "true" : "false")}",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => "the end of " + (reader.TokenType == JsonTokenType.EndArray ? "an array" : "an object"),
    };

    /// <summary>A string token's text for a message: unescaped, or as sent where it is not valid UTF-8 (never an exception).</summary>
    private static string Text(ref Utf8JsonReader reader)
    {
        try
        {
            return Shorten(reader.GetString() ?? "");
        }
        catch (InvalidOperationException)
        {
            return Shorten(Encoding.UTF8.GetString(reader.ValueSpan)); // bytes that are not UTF-8 become U+FFFD
        }
    }

    private static string Shorten(string text) => Output.Printable.Text(text.Length <= 40 ? text : text[..40] + "…");

    /// <summary>The JSON reader's message without its "Path: … | LineNumber" tail, in our words' case.</summary>
    private static string Plain(JsonException e)
    {
        string message = e.Message;
        foreach (string tail in new[] { " Path:", " LineNumber:" })
        {
            int at = message.IndexOf(tail, StringComparison.Ordinal);
            message = at > 0 ? message[..at] : message;
        }

        return $"{message.TrimEnd('.')} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})";
    }

    private static RequestRefusedException BadRequest(string message) => new(StatusCodes.BadRequest, message);
}

/// <summary>The HTTP status codes the server answers with.</summary>
internal static class StatusCodes
{
    public const int Ok = 200;
    public const int BadRequest = 400;
    public const int Unauthorized = 401;
    public const int NotFound = 404;
    public const int MethodNotAllowed = 405;
    public const int PayloadTooLarge = 413;
    public const int UnsupportedMediaType = 415;
    public const int InternalServerError = 500;
    public const int ServiceUnavailable = 503;
}
