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

        try
        {
            Answer(context.Response, model, read.Buffer);
        }
        finally
        {
            body.AdvanceTo(read.Buffer.End); // a refused body is read too, so the connection stays open for the next request
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private async Task Models(HttpContext context)
    {
        var models = _provider.Names.Select(name =>
        {
            NativeModel served = _provider.GetModel(name);
            TrainedModel model = served.Model;
            return new ModelDescription(
                served.Name,
                Kind(model.Shape.Kind),
                model.IsQuantized ? "int8" : "float32",
                model.Features,
                model.FeatureNames,
                model.Pipeline?.Columns.Select(c => new ColumnDescription(c.Name, c.Kind.ToString().ToLowerInvariant())).ToArray(),
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

    private static string Kind(ModelKind kind) => kind switch
    {
        ModelKind.LinearRegression => "linear",
        ModelKind.LogisticRegression => "logistic",
        ModelKind.SoftmaxRegression => "softmax",
        ModelKind.MultilayerPerceptronRegressor => "mlp-regressor",
        _ => "mlp",
    };

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "{Method} {Path} failed: {Type}: {Message}")]
        public static partial void Unexpected(ILogger logger, string method, string path, string type, string message);
    }
}
