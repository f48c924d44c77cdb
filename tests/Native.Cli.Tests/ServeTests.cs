using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Native.Numerics;

namespace Native.Cli.Tests;

/// <summary><c>native serve</c> in this process, over real HTTP on 127.0.0.1: answers, every refusal, reloads, health.</summary>
public sealed partial class ServeTests : IDisposable
{
    private static readonly float[] Flower = [6.7f, 3.0f, 5.2f, 2.3f];

    private readonly string _directory = Cli.TemporaryDirectory();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly CancellationTokenSource _stop = new();
    private Task<Cli.Result>? _server;

    public void Dispose()
    {
        _stop.Cancel();
        _server?.Wait(TimeSpan.FromSeconds(30));
        _http.Dispose();
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task APredictionIsTheLoadedModelsWithItsVersion()
    {
        string path = Train("iris.safetensors");
        Uri server = await Serve("--model", $"iris={path}");
        TrainedModel model = ModelFile.Load(path);

        using HttpResponseMessage response = await Post(server, "iris", $"{{\"rows\": [{Row(Flower)}, [5.1, 3.5, 1.4, 0.2]]}}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string version = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)))[..16];
        Assert.Equal(version, Assert.Single(response.Headers.GetValues("Native-Model-Version")));
        using JsonDocument answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("iris", answer.RootElement.GetProperty("model").GetString());
        Assert.Equal(version, answer.RootElement.GetProperty("version").GetString());
        JsonElement first = answer.RootElement.GetProperty("predictions")[0];
        Assert.Equal(model.PredictClassName(Flower), first.GetProperty("class").GetString());
        float[] expected = new float[3];
        model.PredictProbabilities(Flower, expected);
        Assert.Equal(expected, first.GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()).ToArray());
        Assert.Equal(2, answer.RootElement.GetProperty("predictions").GetArrayLength());
    }

    [Fact]
    public async Task TheModelListSaysWhichModelIsInt8()
    {
        string model = Train("iris.safetensors"), quantized = Path.Combine(_directory, "iris-int8.safetensors");
        Cli.Result quantize = Cli.Run("quantize", "--model", model, "--per-row", "--out", quantized);
        Assert.True(quantize.ExitCode == 0, quantize.ToString());
        Uri server = await Serve("--model", $"float={model}", "--model", $"bytes={quantized}");
        using JsonDocument models = JsonDocument.Parse(await _http.GetStringAsync(new Uri(server, "/models")));
        var precision = models.RootElement.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("precision").GetString());
        Assert.Equal("float32", precision["float"]);
        Assert.Equal("int8", precision["bytes"]);

        // So do the lines serve prints as it loads and starts (they named the shape alone, an int8 file as a float one).
        await _stop.CancelAsync();
        Cli.Result served = await _server!;
        Assert.Contains("bytes (SoftmaxRegression 4-3, int8, version ", served.Output, StringComparison.Ordinal);
        Assert.Contains("float (SoftmaxRegression 4-3, version ", served.Output, StringComparison.Ordinal);
        Assert.Matches(@"Model bytes version \w+ loaded from .*iris-int8\.safetensors: SoftmaxRegression 4-3, int8\.", served.Output + served.Error);
        Assert.Matches(@"Model float version \w+ loaded from .*iris\.safetensors: SoftmaxRegression 4-3, float32\.", served.Output + served.Error);
    }

    [Fact]
    public async Task RowsByColumnNameAnswerAsRowsByPosition()
    {
        Uri server = await Serve("--model", $"iris={Train("iris.safetensors")}");
        string byName = await (await Post(server, "iris", "{\"rows\": [{\"petal_width\": 2.3, \"sepal_length\": 6.7, \"sepal_width\": 3.0, \"petal_length\": 5.2}]}")).Content.ReadAsStringAsync();
        string byPosition = await (await Post(server, "iris", $"{{\"rows\": [{Row(Flower)}]}}")).Content.ReadAsStringAsync();
        Assert.Equal(byPosition, byName);
    }

    [Theory]
    [InlineData("{\"rows\": [[6.7, 3.0, \"x\", 2.3]]}", 400, "row 1, column 3 (rows[0][2], 'petal_length'): expected a number; found a string (\"x\").")]
    [InlineData("{\"rows\": [[6.7, 3.0, 5.2, 2.3], [1, 2, 3]]}", 400, "row 2 (rows[1]) has 3 values; the model 'iris' takes 4 features (sepal_length, sepal_width, petal_length, petal_width).")]
    [InlineData("{\"rows\": [[6.7, 3.0, 5.2, 2.3, 9]]}", 400, "row 1 (rows[0]) has more than 4 values; the model 'iris' takes 4 features (sepal_length, sepal_width, petal_length, petal_width).")]
    [InlineData("{\"rows\": [[6.7, 3.0, 1e39, 2.3]]}", 400, "row 1, column 3 (rows[0][2], 'petal_length'): 1e39 is beyond the range of a float (±3.4e38).")]
    [InlineData("{\"rows\": [{\"sepal_length\": 1, \"sepal_width\": 2, \"petal_length\": 3}]}", 400, "row 1 (rows[0]) has no column 'petal_width'; the model 'iris' takes sepal_length, sepal_width, petal_length, petal_width.")]
    [InlineData("{\"rows\": [{\"sepal_length\": 1, \"color\": 2}]}", 400, "row 1 (rows[0]) has a column 'color' the model 'iris' does not take; it takes sepal_length, sepal_width, petal_length, petal_width.")]
    [InlineData("{\"rows\": [{\"sepal_length\": 1, \"sepal_length\": 2}]}", 400, "row 1 (rows[0]) has the column 'sepal_length' twice.")]
    [InlineData("{\"rows\": []}", 400, "\"rows\" is empty: send at least one row.")]
    [InlineData("{\"columns\": []}", 400, "the body has a property 'columns'; a request holds only \"rows\".")]
    [InlineData("[1, 2]", 400, "the body must be a JSON object, {\"rows\": [[…], …]}; found an array.")]
    [InlineData("{\"rows\": [[1, 2, 3, 4]", 400, "the body is not valid JSON: ")]
    [InlineData("{\"rows\": [[1, 2, 3, 4]]} {}", 400, "the body is not valid JSON: ")]
    [InlineData("{\"rows\": [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]}", 413, "the request has more than 3 rows, the most one request may carry (--max-rows); send them in several requests.")]
    public async Task ABadRequestIsRefusedNamingWhatAndWhere(string body, int status, string message)
    {
        Uri server = await Serve("--model", $"iris={Train("iris.safetensors")}", "--max-rows", "3");
        using HttpResponseMessage response = await Post(server, "iris", body);
        Assert.Equal(status, (int)response.StatusCode);
        string error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
        Assert.StartsWith(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Native-Model-Version"));
    }

    [Fact]
    public async Task UnknownModelsPathsMethodsTypesAndLargeBodiesGetTheirStatus()
    {
        Uri server = await Serve("--model", $"iris={Train("iris.safetensors")}", "--max-body-bytes", "200");
        Assert.Equal(HttpStatusCode.NotFound, (await Post(server, "digits", "{\"rows\": [[1, 2, 3, 4]]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(new Uri(server, "/models/iris"))).StatusCode);
        using HttpResponseMessage get = await _http.GetAsync(new Uri(server, "/models/iris/predict"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal("POST", get.Content.Headers.Allow.Single());
        using var text = new StringContent("{\"rows\": [[1, 2, 3, 4]]}", Encoding.UTF8, "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await _http.PostAsync(new Uri(server, "/models/iris/predict"), text)).StatusCode);
        string large = "{\"rows\": [" + string.Join(", ", Enumerable.Repeat("[1, 2, 3, 4]", 40)) + "]}";
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Post(server, "iris", large)).StatusCode);
    }

    [Fact]
    public async Task AnApiKeyIsRequiredWhenGivenButNotForHealth()
    {
        string key = Path.Combine(_directory, "key");
        File.WriteAllText(key, "0123456789abcdef0123\n");
        Uri server = await Serve("--model", $"iris={Train("iris.safetensors")}", "--api-key-file", key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(server, "iris", $"{{\"rows\": [{Row(Flower)}]}}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync(new Uri(server, "/models"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(new Uri(server, "/health"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post(server, "iris", $"{{\"rows\": [{Row(Flower)}]}}", apiKey: "0123456789abcdef0123")).StatusCode);
    }

    [Fact]
    public async Task AReplacedFileIsServedATruncatedOneIsRefusedAndHealthSaysSo()
    {
        string path = Train("iris.safetensors");
        string other = Train("other.safetensors", epochs: 7);
        Uri server = await Serve("--model", $"iris={path}", "--reload-delay", "20");
        string first = await Version(server);

        byte[] next = File.ReadAllBytes(other);
        File.WriteAllBytes(path + ".tmp", next[..(next.Length / 2)]);
        File.Move(path + ".tmp", path, overwrite: true);
        JsonDocument health = await Eventually(async () => (await _http.GetAsync(new Uri(server, "/health"))) is { StatusCode: HttpStatusCode.ServiceUnavailable } r
            ? JsonDocument.Parse(await r.Content.ReadAsStringAsync())
            : null);
        Assert.Equal("unhealthy", health.RootElement.GetProperty("status").GetString());
        Assert.Contains($"iris: '{path}' (version {Convert.ToHexStringLower(SHA256.HashData(next[..(next.Length / 2)]))[..16]}) was refused", health.RootElement.GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(first, await Version(server));

        File.WriteAllBytes(path + ".tmp", next);
        File.Move(path + ".tmp", path, overwrite: true);
        string second = await Eventually(async () => await Version(server) is { } v && v != first ? v : null);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(next))[..16], second);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(new Uri(server, "/health"))).StatusCode);

        using JsonDocument models = JsonDocument.Parse(await _http.GetStringAsync(new Uri(server, "/models")));
        JsonElement iris = models.RootElement.GetProperty("models")[0];
        Assert.Equal("softmax", iris.GetProperty("kind").GetString());
        Assert.Equal(4, iris.GetProperty("features").GetInt32());
        Assert.Equal(second, iris.GetProperty("version").GetString());
        Assert.Equal("iris.safetensors", iris.GetProperty("file").GetString());
    }

    [Theory]
    [InlineData("--model x=a=b", "does not exist")]
    [InlineData("--model bad/name=FILE", "the name 'bad/name' must be 1 to 64 letters")]
    [InlineData("--model iris=FILE --model iris=FILE", "two models are named 'iris'")]
    [InlineData("--model iris=FILE --port 0", "--port must be from 1 to 65535; got 0.")]
    [InlineData("--model iris=FILE --port 80 --urls http://127.0.0.1:80", "--port and --urls both say where to listen")]
    [InlineData("--model iris=FILE --max-rows 0", "--max-rows must be from 1 to 1,000,000; got 0.")]
    [InlineData("--model iris=FILE --urls garbage", "--urls 'garbage': expected http://HOST:PORT")]
    [InlineData("--model iris=FILE --urls 127.0.0.1:8080", "--urls '127.0.0.1:8080': expected http://HOST:PORT")]
    [InlineData("--model iris=FILE --urls ftp://127.0.0.1:8080", "--urls 'ftp://127.0.0.1:8080': expected http://HOST:PORT")]
    [InlineData("--model iris=FILE --urls https://127.0.0.1:8443", "--urls 'https://127.0.0.1:8443': native serve speaks plain http")]
    [InlineData("--model iris=FILE --urls http://127.0.0.1:8080/base", "--urls 'http://127.0.0.1:8080/base': a path ('/base') after the port")]
    [InlineData("--model iris=FILE --urls http://127.0.0.1:8080,http://127.0.0.1:8081", "--urls 'http://127.0.0.1:8080,http://127.0.0.1:8081': several addresses are separated by ';'")]
    [InlineData("--model iris=FILE --urls http://127.0.0.1:99999", "--urls 'http://127.0.0.1:99999': the port '99999' is not a number from 0 to 65535")]
    [InlineData("--model iris=FILE --urls http://127.0.0.1:abc", "--urls 'http://127.0.0.1:abc': the port 'abc' is not a number from 0 to 65535")]
    [InlineData("--model iris=FILE --urls http://127.0.0.l:8080", "--urls 'http://127.0.0.l:8080': the host '127.0.0.l' is not an IP address nor localhost")]
    [InlineData("--model iris=FILE --urls http://999.1.1.1:8080", "the host '999.1.1.1' is not an IP address nor localhost")]
    [InlineData("--model iris=FILE --urls ;", "--urls ';' names no address")]
    [InlineData("--model iris=FILE --api-key-file /no/such/key", "--api-key-file '/no/such/key' does not exist.")]
    [InlineData("--model iris=FILE --api-key-file /", "--api-key-file '/' is a directory")]
    [InlineData("--model iris=FILE --api-key-file /dev/zero", "--api-key-file '/dev/zero' holds more than 4,096 bytes")]
    public void MistakesInTheArgumentsAreOneLineBeforeAnyWork(string arguments, string message)
    {
        string path = Train("iris.safetensors");
        Cli.Result result = Cli.Run(["serve", .. arguments.Replace("FILE", path, StringComparison.Ordinal).Split(' ')]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080")]
    [InlineData("HTTP://0.0.0.0:8080/", "HTTP://0.0.0.0:8080/")]
    [InlineData("http://*:8080; http://+:8081;", "http://*:8080;http://+:8081")]
    [InlineData("http://[::1]:8080;http://[::]:8081", "http://[::1]:8080;http://[::]:8081")]
    [InlineData("http://localhost:8080", "http://localhost:8080")]
    [InlineData("http://127.0.0.1", "http://127.0.0.1")]
    [InlineData("http://unix:/run/native.sock", "http://unix:/run/native.sock")]
    public void UrlsKestrelReadsAsWrittenAreKept(string urls, string kept) => Assert.Equal(kept, Commands.ServeCommand.CheckUrls(urls));

    [Fact]
    public void AModelFileThatCannotBeLoadedStopsTheStartWithTheReadersMessage()
    {
        string path = Path.Combine(_directory, "cut.safetensors");
        File.WriteAllBytes(path, File.ReadAllBytes(Train("iris.safetensors"))[..100]);
        Cli.Result result = Cli.Run("serve", "--model", $"iris={path}", "--port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"native: '{path}', byte ", result.Error, StringComparison.Ordinal);
    }

    private string Train(string name, int epochs = 30)
    {
        string path = Path.Combine(_directory, name);
        string data = Path.Combine(Cli.RepositoryRoot(), "tests", "package-consumer", "models", "iris.csv");
        Cli.Result trained = Cli.Run("train", "--data", data, "--model", "softmax", "--standardize", "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", path, "--quiet");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        return path;
    }

    private async Task<Uri> Serve(params string[] arguments)
    {
        int port = FreePort();
        var server = new Uri($"http://127.0.0.1:{port}");
        string[] args = ["serve", .. arguments, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        _server = Task.Run(() =>
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            int code = CommandLine.Run(args, new CliContext(TextWriter.Synchronized(output), TextWriter.Synchronized(error), Terminal: false, _stop.Token));
            return new Cli.Result(code, output.ToString(), error.ToString());
        });
        await Eventually(async () =>
        {
            Assert.False(_server.IsCompleted, _server.IsCompleted ? _server.Result.ToString() : "");
            try
            {
                return (await _http.GetAsync(new Uri(server, "/health"))).IsSuccessStatusCode ? "up" : null;
            }
            catch (HttpRequestException)
            {
                return null;
            }
        });
        return server;
    }

    private async Task<HttpResponseMessage> Post(Uri server, string model, string body, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, $"/models/{model}/predict"))
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        if (apiKey is not null)
        {
            request.Headers.Add("X-API-Key", apiKey);
        }

        return await _http.SendAsync(request);
    }

    private async Task<string> Version(Uri server) =>
        Assert.Single((await Post(server, "iris", $"{{\"rows\": [{Row(Flower)}]}}")).EnsureSuccessStatusCode().Headers.GetValues("Native-Model-Version"));

    private static async Task<T> Eventually<T>(Func<Task<T?>> attempt)
        where T : class
    {
        for (int i = 0; i < 300; i++)
        {
            if (await attempt() is { } value)
            {
                return value;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The server did not get there in 15 seconds.");
    }

    private static string Row(float[] row) => "[" + string.Join(", ", row.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
