using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

// dotnet ServingPeers.dll mlnet iris.csv PORT   — ML.NET: L-BFGS maximum entropy trained on the CSV, PredictionEngines pooled
// dotnet ServingPeers.dll onnxruntime iris.onnx PORT — ONNX Runtime: an InferenceSession over the file native convert wrote
if (args.Length != 3 || args[0] is not ("mlnet" or "onnxruntime"))
{
    Console.Error.WriteLine("usage: ServingPeers mlnet|onnxruntime FILE PORT");
    return 1;
}

IPredictor predictor = args[0] == "mlnet" ? new MlNetPredictor(args[1]) : new OnnxRuntimePredictor(args[1]);
WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{args[2]}");
builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(e => e.Protocols = HttpProtocols.Http1));
WebApplication app = builder.Build();
string version = args[0];
app.MapPost("/models/iris/predict", async (HttpContext context) =>
{
    // The same contract as native serve: {"rows": [[…], …]} in, {"model", "version", "predictions": [{"class", "probabilities"}]} out.
    Request? request = await JsonSerializer.DeserializeAsync(context.Request.Body, PeerJson.Default.Request, context.RequestAborted);
    if (request?.Rows is not { Length: > 0 } rows || rows.Any(r => r is null || r.Length != 4))
    {
        context.Response.StatusCode = 400;
        return;
    }

    var predictions = new Prediction[rows.Length];
    for (int i = 0; i < rows.Length; i++)
    {
        float[] probabilities = predictor.Probabilities(rows[i]);
        predictions[i] = new Prediction(MlNetPredictor.Species[Array.IndexOf(probabilities, probabilities.Max())], probabilities);
    }

    context.Response.Headers["Native-Model-Version"] = version;
    await context.Response.WriteAsJsonAsync(new Answer("iris", version, predictions), PeerJson.Default.Answer, cancellationToken: context.RequestAborted);
});
Console.WriteLine($"{args[0]} serving on http://127.0.0.1:{args[2]}");
await app.RunAsync();
return 0;

internal interface IPredictor
{
    float[] Probabilities(float[] row);
}

/// <summary>ML.NET as PredictionEnginePool serves it: engines (not thread-safe) in an ObjectPool, one taken per prediction.</summary>
internal sealed class MlNetPredictor : IPredictor
{
    public static readonly string[] Species = ["setosa", "versicolor", "virginica"];

    private readonly ObjectPool<PredictionEngine<Flower, Scores>> _engines;

    public MlNetPredictor(string csv)
    {
        var ml = new MLContext(seed: 1);
        Flower[] flowers = [.. File.ReadLines(csv).Skip(1).Select(line => line.Split(',')).Select(f => new Flower
        {
            Features = [float.Parse(f[0]), float.Parse(f[1]), float.Parse(f[2]), float.Parse(f[3])],
            Species = f[4],
        })];
        IDataView data = ml.Data.LoadFromEnumerable(flowers);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Flower.Species), keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(l1Regularization: 0));
        ITransformer model = pipeline.Fit(data);
        _engines = new DefaultObjectPoolProvider { MaximumRetained = Environment.ProcessorCount * 2 }.Create(new EnginePolicy(ml, model));
    }

    public float[] Probabilities(float[] row)
    {
        PredictionEngine<Flower, Scores> engine = _engines.Get();
        try
        {
            return engine.Predict(new Flower { Features = row }).Score;
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    private sealed class EnginePolicy(MLContext ml, ITransformer model) : PooledObjectPolicy<PredictionEngine<Flower, Scores>>
    {
        public override PredictionEngine<Flower, Scores> Create() => ml.Model.CreatePredictionEngine<Flower, Scores>(model);

        public override bool Return(PredictionEngine<Flower, Scores> engine) => true;
    }
}

/// <summary>ONNX Runtime: one session (thread-safe for Run), one thread per run, the probabilities output only.</summary>
internal sealed class OnnxRuntimePredictor : IPredictor, IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _input;

    public OnnxRuntimePredictor(string path)
    {
        var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(path, options);
        _input = _session.InputMetadata.Keys.First();
    }

    public float[] Probabilities(float[] row)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(row, [1, row.Length]);
        using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(new RunOptions(), [_input], [input], ["probabilities"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose() => _session.Dispose();
}

internal sealed class Flower
{
    [VectorType(4)]
    public float[] Features { get; set; } = [];

    public string Species { get; set; } = "";
}

internal sealed class Scores
{
    public float[] Score { get; set; } = [];
}

internal sealed record Request(float[][]? Rows);

internal sealed record Prediction(string Class, float[] Probabilities);

internal sealed record Answer(string Model, string Version, Prediction[] Predictions);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Request))]
[JsonSerializable(typeof(Answer))]
internal sealed partial class PeerJson : JsonSerializerContext;
