using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Native.Numerics;
using Native.Numerics.Hosting;

namespace Native.Cli.Commands;

/// <summary>
/// The endpoints of <c>native serve</c>, in one terminal handler: <c>POST /models/{name}/predict</c>, <c>GET /models</c>,
/// <c>GET /health</c>. Every failure is a status and a JSON body <c>{"error": "…"}</c> in one line — 400 naming the row and
/// column, 401, 404, 405, 413, 415 — and never a stack trace; an unexpected one is logged and answered 500 without it.
/// </summary>
/// <remarks>
/// A prediction takes the model's current version once and answers with it throughout (the <c>Native-Model-Version</c>
/// header and <c>version</c> say which). The body is read whole (at most <c>--max-body-bytes</c>), parsed straight into
/// one pooled span of floats (<see cref="PredictionRequest"/>), predicted in one batch call, and written with
/// <see cref="Utf8JsonWriter"/> into a per-thread buffer sent with its length: no objects per row.
/// </remarks>
internal sealed partial class ServeEndpoints
{
    private const string VersionHeader = "Native-Model-Version";
    private const string Endpoints = "the endpoints are POST /models/{name}/predict, GET /models and GET /health";

    /// <summary>
    /// JSON as people read it: an apostrophe or a non-ASCII class name written as itself, not as \u0027. Safe for a body
    /// of type application/json, which no browser runs as HTML.
    /// </summary>
    private static readonly JavaScriptEncoder s_encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private static readonly ServeJson s_json = new(new JsonSerializerOptions
    {
        Encoder = s_encoder,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private readonly INativeModelProvider _provider;
    private readonly NativeModelMetrics _metrics;
    private readonly HealthCheckService _health;
    private readonly ILogger _logger;
    private readonly RequestLimits _limits;
    private readonly byte[]? _apiKey;

    public ServeEndpoints(IServiceProvider services, ServeSettings settings)
    {
        _provider = services.GetRequiredService<INativeModelProvider>();
        _metrics = services.GetRequiredService<NativeModelMetrics>();
        _health = services.GetRequiredService<HealthCheckService>();
        _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Native.Cli.Serve");
        _limits = settings.Limits;
        _apiKey = settings.ApiKey is null ? null : Encoding.UTF8.GetBytes(settings.ApiKey);
    }

    /// <summary>Answers one request.</summary>
    public async Task Handle(HttpContext context)
    {
        try
        {
            HttpRequest request = context.Request;
            string path = request.Path.Value ?? "/";
            if (path == "/health")
            {
                Allow(request, HttpMethods.Get);
                await Health(context).ConfigureAwait(false);
                return;
            }

            if (_apiKey is not null && !Authorized(request))
            {
                throw new RequestRefusedException(StatusCodes.Unauthorized, "this server needs its API key in the X-API-Key header.");
            }

            if (path == "/models")
            {
                Allow(request, HttpMethods.Get);
                await Models(context).ConfigureAwait(false);
                return;
            }

            const string prefix = "/models/", suffix = "/predict";
            if (path.Length > prefix.Length + suffix.Length && path.StartsWith(prefix, StringComparison.Ordinal) && path.EndsWith(suffix, StringComparison.Ordinal)
                && path.AsSpan(prefix.Length, path.Length - prefix.Length - suffix.Length).IndexOf('/') < 0)
            {
                Allow(request, HttpMethods.Post);
                await Predict(context, path[prefix.Length..^suffix.Length]).ConfigureAwait(false);
                return;
            }

            throw new RequestRefusedException(StatusCodes.NotFound, $"no endpoint {request.Method} {Output.Printable.Text(path)}; {Endpoints}.");
        }
        catch (RequestRefusedException e)
        {
            await Error(context, e.Status, e.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own refusals: a body over the limit (413), a client too slow (408), a malformed request.
            await Error(context, e.StatusCode, e.StatusCode == StatusCodes.PayloadTooLarge ? $"the body is larger than {_limits.MaxBodyBytes:N0} bytes (--max-body-bytes)." : CommandLine.FirstLine(e)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody to answer.
        }
        catch (Exception e)
        {
            Log.Unexpected(_logger, context.Request.Method, context.Request.Path.Value ?? "", e.GetType().Name, CommandLine.FirstLine(e));
            await Error(context, StatusCodes.InternalServerError, "the server failed to answer (its log says why).").ConfigureAwait(false);
        }
    }

    private async Task Predict(HttpContext context, string name)
    {
        HttpRequest request = context.Request;
        if (!_provider.TryGetModel(name, out NativeModel? model))
        {
            throw new RequestRefusedException(StatusCodes.NotFound, $"no model named '{Output.Printable.Text(name)}'; the models are {string.Join(", ", _provider.Names)}.");
        }

        if (request.ContentType is not { } type || !(type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && (type.Length == 16 || type[16] == ';')))
        {
            throw new RequestRefusedException(StatusCodes.UnsupportedMediaType, "a prediction request is JSON: send it with Content-Type: application/json.");
        }

        if (request.ContentLength > _limits.MaxBodyBytes)
        {
            throw new RequestRefusedException(StatusCodes.PayloadTooLarge, $"the body is {request.ContentLength:N0} bytes, larger than the {_limits.MaxBodyBytes:N0} a request may be (--max-body-bytes).");
        }

        PipeReader body = request.BodyReader;
        ReadResult read;
        while (true)
        {
            read = await body.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            if (read.Buffer.Length > _limits.MaxBodyBytes)
            {
                throw new RequestRefusedException(StatusCodes.PayloadTooLarge, $"the body is larger than the {_limits.MaxBodyBytes:N0} bytes a request may be (--max-body-bytes).");
            }

            if (read.IsCompleted)
            {
                break;
            }

            body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        int length = Answer(context.Response, model, read.Buffer);
        body.AdvanceTo(read.Buffer.End);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        _ = length;
    }

    /// <summary>Parses, predicts and writes the answer (synchronously: the per-thread buffers are used between no awaits).</summary>
    private int Answer(HttpResponse response, NativeModel served, ReadOnlySequence<byte> bytes)
    {
        byte[]? copy = null;
        ReadOnlySpan<byte> span = bytes.IsSingleSegment ? bytes.FirstSpan : (copy = ArrayPool<byte>.Shared.Rent((int)bytes.Length)).AsSpan(0, (int)bytes.Length);
        if (copy is not null)
        {
            bytes.CopyTo(copy);
        }

        TrainedModel model = served.Model;
        PredictionRequest request;
        try
        {
            request = PredictionRequest.Read(span, model, served.Name, _limits);
        }
        catch (RequestRefusedException)
        {
            _metrics.RecordRefusal(served, 1, "bad_request");
            throw;
        }
        finally
        {
            if (copy is not null)
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }

        int rows = request.Rows;
        bool classifier = model.Task != ModelTask.Regression;
        int width = classifier ? model.Classes : model.Outputs;
        float[] outputs = ArrayPool<float>.Shared.Rent(rows * width);
        int[] classes = ArrayPool<int>.Shared.Rent(classifier ? rows : 0);
        try
        {
            ReadOnlySpan<float> values = request.Values.AsSpan(0, rows * model.Features);
            long started = Stopwatch.GetTimestamp();
            if (classifier)
            {
                model.PredictProbabilities(values, outputs.AsSpan(0, rows * width));
                CheckFinite(served, values, outputs, rows, width);
                model.PredictClasses(values, classes.AsSpan(0, rows));
            }
            else
            {
                model.PredictValues(values, outputs.AsSpan(0, rows * width));
                CheckFinite(served, values, outputs, rows, width);
            }

            _metrics.RecordPredictions(served, rows, Stopwatch.GetElapsedTime(started));
            Utf8JsonWriter writer = Writer(out ArrayBufferWriter<byte> buffer);
            writer.WriteStartObject();
            writer.WriteString("model"u8, served.Name);
            writer.WriteString("version"u8, served.Version);
            writer.WriteStartArray("predictions"u8);
            for (int row = 0; row < rows; row++)
            {
                writer.WriteStartObject();
                if (classifier)
                {
                    writer.WriteString("class"u8, ClassName(model, classes[row]));
                    writer.WriteStartArray("probabilities"u8);
                    for (int c = 0; c < width; c++)
                    {
                        writer.WriteNumberValue(outputs[(row * width) + c]);
                    }

                    writer.WriteEndArray();
                }
                else if (width == 1)
                {
                    writer.WriteNumber("value"u8, outputs[row]);
                }
                else
                {
                    writer.WriteStartArray("values"u8);
                    for (int o = 0; o < width; o++)
                    {
                        writer.WriteNumberValue(outputs[(row * width) + o]);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
            response.StatusCode = StatusCodes.Ok;
            response.ContentType = "application/json";
            response.Headers[VersionHeader] = served.Version;
            response.ContentLength = buffer.WrittenCount;
            response.BodyWriter.Write(buffer.WrittenSpan);
            return buffer.WrittenCount;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(request.Values);
            ArrayPool<float>.Shared.Return(outputs);
            ArrayPool<int>.Shared.Return(classes);
        }
    }

    /// <summary>A row whose outputs are not finite gets no answer: 400, naming the row and the feature that did it.</summary>
    private void CheckFinite(NativeModel served, ReadOnlySpan<float> values, float[] outputs, int rows, int width)
    {
        TrainedModel model = served.Model;
        for (int row = 0; row < rows; row++)
        {
            if (float.IsNaN(outputs[row * width]))
            {
                _metrics.RecordRefusal(served, 1, "not_finite");
                string why;
                try
                {
                    ReadOnlySpan<float> one = values.Slice(row * model.Features, model.Features);
                    _ = model.Task == ModelTask.Regression ? model.PredictValue(one) : model.PredictClass(one);
                    why = "its outputs are not finite.";
                }
                catch (ArgumentException e)
                {
                    why = CommandLine.FirstLine(e);
                }

                throw new RequestRefusedException(StatusCodes.BadRequest, $"row {row + 1} (rows[{row}]): the model '{served.Name}' cannot answer it: {why}");
            }
        }
    }

    private static string ClassName(TrainedModel model, int predicted) =>
        model.ClassNames.Count > predicted ? model.ClassNames[predicted] : ClassLabels.Of(predicted);

    private async Task Models(HttpContext context)
    {
        var models = _provider.Names.Select(name =>
        {
            NativeModel served = _provider.GetModel(name);
            TrainedModel model = served.Model;
            return new ModelDescription(
                served.Name,
                Kind(model.Shape.Kind),
                model.Features,
                model.FeatureNames,
                model.Task == ModelTask.Regression ? null : model.Classes,
                model.Task == ModelTask.Regression ? null : Enumerable.Range(0, model.Classes).Select(c => ClassName(model, c)).ToArray(),
                served.Version,
                served.LoadedAt,
                served.Source == "compiled" ? served.Source : Path.GetFileName(served.Source));
        }).ToArray();
        await Json(context, StatusCodes.Ok, new ModelList(models), s_json.ModelList).ConfigureAwait(false);
    }

    private async Task Health(HttpContext context)
    {
        HealthReport report = await _health.CheckHealthAsync(context.RequestAborted).ConfigureAwait(false);
        var versions = _provider.Names.ToDictionary(name => name, name => _provider.GetModel(name).Version);
        string[] reasons = [.. report.Entries.Values.Where(e => e.Status != HealthStatus.Healthy).Select(e => e.Description ?? e.Status.ToString())];
        bool healthy = report.Status == HealthStatus.Healthy;
        await Json(context, healthy ? StatusCodes.Ok : StatusCodes.ServiceUnavailable, new HealthAnswer(healthy ? "healthy" : "unhealthy", reasons, versions), s_json.HealthAnswer).ConfigureAwait(false);
    }

    private bool Authorized(HttpRequest request)
    {
        string? given = request.Headers["X-API-Key"];
        return given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _apiKey);
    }

    private static void Allow(HttpRequest request, string method)
    {
        if (!string.Equals(request.Method, method, StringComparison.Ordinal) && !(method == HttpMethods.Get && HttpMethods.IsHead(request.Method)))
        {
            request.HttpContext.Response.Headers.Allow = method;
            throw new RequestRefusedException(StatusCodes.MethodNotAllowed, $"{request.Path.Value} takes {method}, not {Output.Printable.Text(request.Method)}.");
        }
    }

    private static Task Error(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask; // too late for a status: the connection is closed on it
        }

        context.Response.Headers.Remove(VersionHeader);
        return Json(context, status, new ErrorAnswer(message), s_json.ErrorAnswer);
    }

    private static async Task Json<T>(HttpContext context, int status, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(value, type);
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private static Utf8JsonWriter Writer(out ArrayBufferWriter<byte> buffer)
    {
        buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        if (t_writer is null)
        {
            t_writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = s_encoder });
        }
        else
        {
            t_writer.Reset(buffer);
        }

        return t_writer;
    }

    private static string Kind(ModelKind kind) => kind switch
    {
        ModelKind.LinearRegression => "linear",
        ModelKind.LogisticRegression => "logistic",
        ModelKind.SoftmaxRegression => "softmax",
        _ => "mlp",
    };

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "{Method} {Path} failed: {Type}: {Message}")]
        public static partial void Unexpected(ILogger logger, string method, string path, string type, string message);
    }
}

/// <summary>Class labels as text, made once: a model without class names answers "0", "1", … without a string per answer.</summary>
internal static class ClassLabels
{
    private static readonly string[] s_small = [.. Enumerable.Range(0, 256).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    public static string Of(int label) => label < s_small.Length ? s_small[label] : label.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One model, as GET /models describes it.</summary>
internal sealed record ModelDescription(string Name, string Kind, int Features, IReadOnlyList<string> FeatureNames, int? Classes, string[]? ClassNames, string Version, DateTimeOffset LoadedAt, string File);

/// <summary>GET /models: every model served.</summary>
internal sealed record ModelList(ModelDescription[] Models);

/// <summary>GET /health: healthy or not, why not, and the versions serving.</summary>
internal sealed record HealthAnswer(string Status, string[] Reasons, Dictionary<string, string> Versions);

/// <summary>Every refusal's body.</summary>
internal sealed record ErrorAnswer(string Error);

/// <summary>The serve command's JSON, generated when it compiles (no reflection, NativeAOT-safe); snake_case names, as the command's --json output has (<see cref="ServeEndpoints"/>'s options).</summary>
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(HealthAnswer))]
[JsonSerializable(typeof(ErrorAnswer))]
internal sealed partial class ServeJson : JsonSerializerContext;
