using System.Globalization;
using System.Net;
using System.Text.Json;
using Native.Numerics;

namespace Native.Cli.Tests;

/// <summary><c>native serve</c> for a model trained on a table: raw records by column name, answered as the loaded model answers them.</summary>
public sealed partial class ServeTests
{
    /// <summary>Raw loan records as a client sends them: a whole one, blanks and nulls, values training never saw, nothing but nulls (<c>{}</c> is refused).</summary>
    private static readonly (string Column, object? Value)[][] Records =
    [
        [("loan_id", 9001f), ("income", 71226f), ("loan_amount", 7500f), ("interest_rate", 7.94f), ("term", 36f), ("age", 26f), ("debt_to_income", 20.5f), ("credit_lines", 11f),
            ("grade", "B"), ("purpose", "education"), ("home_ownership", "RENT"), ("state", "MI"), ("employment", "self-employed"), ("verified", "yes")],
        [("income", null), ("loan_amount", 20000f), ("interest_rate", 14.2f), ("term", 60f), ("grade", ""), ("purpose", null), ("home_ownership", "OWN"), ("state", "CA"), ("verified", "no")],
        [("income", 38000f), ("loan_amount", null), ("grade", "E"), ("purpose", "crypto"), ("state", "ZZ"), ("employment", "retired"), ("verified", "yes")],
        [("income", null), ("grade", null), ("state", null)],
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RawRecordsAreAnsweredBitForBitAsTheLoadedModelAnswersThem(bool quantized)
    {
        string path = TrainLoans("loans.safetensors");
        if (quantized)
        {
            // The int8 model keeps the pipeline: records are served as the float model's are, by its integer engine.
            string int8 = Path.Combine(_directory, "loans-int8.safetensors");
            Cli.Result result = Cli.Run("quantize", "--model", path, "--data", Path.Combine(Cli.RepositoryRoot(), "tests", "data", "loans", "loans-train.csv"), "--out", int8);
            Assert.True(result.ExitCode == 0, result.ToString());
            path = int8;
        }

        Uri server = await Serve("--model", $"loans={path}");
        TrainedModel model = ModelFile.Load(path);
        Assert.Equal(quantized, model.IsQuantized);

        using HttpResponseMessage response = await Post(server, "loans", $"{{\"rows\": [{string.Join(", ", Records.Select(Json))}]}}");
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using JsonDocument answer = JsonDocument.Parse(body);
        JsonElement predictions = answer.RootElement.GetProperty("predictions");
        Assert.Equal(Records.Length, predictions.GetArrayLength());
        TableRow row = model.CreateRow();
        float[] expected = new float[model.Classes];
        for (int r = 0; r < Records.Length; r++)
        {
            Fill(row, Records[r]);
            model.PredictProbabilities(row, expected);
            float[] served = [.. predictions[r].GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle())];
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), served.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(model.PredictClassName(row), predictions[r].GetProperty("class").GetString());
        }

        // The records differ, so the answers do: a server that ignored the values would not pass.
        Assert.Equal(Records.Length, predictions.EnumerateArray().Select(p => p.GetProperty("probabilities")[1].GetSingle()).Distinct().Count());
    }

    [Fact]
    public async Task ModelsListsAPipelineModelsColumnsWithTheirKinds()
    {
        Uri server = await Serve("--model", $"loans={TrainLoans("loans.safetensors")}");
        using JsonDocument models = JsonDocument.Parse(await _http.GetStringAsync(new Uri(server, "/models")));
        JsonElement loans = models.RootElement.GetProperty("models")[0];
        var columns = loans.GetProperty("columns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("kind").GetString());
        Assert.Equal(14, columns.Count);
        Assert.Equal("ignored", columns["loan_id"]);
        Assert.Equal("number", columns["income"]);
        Assert.Equal("category", columns["grade"]);
        Assert.Equal(["loan_id", "income", "loan_amount"], loans.GetProperty("columns").EnumerateArray().Take(3).Select(c => c.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task ABadRecordIsRefusedNamingRowColumnAndValue()
    {
        Uri server = await Serve("--model", $"loans={TrainLoans("loans.safetensors")}", "--model", $"strict={TrainLoans("strict.safetensors", "--unknown-categories", "error")}", "--max-rows", "3");
        (string Model, string Body, int Status, string Message)[] cases =
        [
            ("loans", "{\"rows\": [[1, 2, 3]]}", 400, "row 1 (rows[0]) is an array, but the model 'loans' takes records with categories: send each row as an object keyed by column name ({\"income\": "),
            ("loans", "{}", 400, "the body has no \"rows\": send {\"rows\": [{\"income\": "), // it said "one array of 56 numbers a row", which the model refuses
            ("loans", "{\"rows\": [5]}", 400, "row 1 (rows[0]) must be an object keyed by column name ({\"income\": "),
            ("loans", "{\"rows\": [{\"income\": 1}, {\"income\": 1, \"colour\": \"red\"}]}", 400, "row 2 (rows[1]) has a column 'colour' the model 'loans' does not take; it takes loan_id, income, loan_amount, "),
            ("loans", "{\"rows\": [{\"income\": \"52000\"}]}", 400, "row 1 (rows[0]), column 'income' holds numbers: found a string (\"52000\"); send a JSON number, or null for a missing value."),
            ("loans", "{\"rows\": [{\"grade\": 2}]}", 400, "row 1 (rows[0]), column 'grade' holds categories: found a number (2); send the category as a string, or null for a missing value."),
            ("loans", "{\"rows\": [{\"verified\": true}]}", 400, "row 1 (rows[0]), column 'verified': expected a string (a category) or null; found true."),
            ("loans", "{\"rows\": [{\"income\": 1e39}]}", 400, "row 1 (rows[0]), column 'income': 1e39 is beyond the range of a float (±3.4e38)."),
            ("loans", "{\"rows\": [{\"grade\": \"A\", \"grade\": \"B\"}]}", 400, "row 1 (rows[0]) has the column 'grade' twice."),
            ("loans", "{\"rows\": [{}]}", 400, "row 1 (rows[0]) gives none of the columns the model 'loans' reads, so every value would be missing; send at least one ({\"income\": "),
            ("loans", "{\"rows\": [{\"income\": 1}, {\"loan_id\": 7}]}", 400, "row 2 (rows[1]) gives none of the columns the model 'loans' reads"), // loan_id is ignored
            ("loans", "{\"rows\": [{\"grade\": null}, {\"grade\": null}, {\"grade\": null}, {\"grade\": null}]}", 413, "the request has more than 3 rows, the most one request may carry (--max-rows); send them in several requests."),
            ("strict", "{\"rows\": [{\"state\": \"CA\"}, {\"state\": \"ZZ\"}]}", 400, "row 2 (rows[1]): column 'state': 'ZZ' is not one of the 20 categories the model knows, and unknown categories are errors for this model."),
        ];
        foreach ((string model, string body, int status, string message) in cases)
        {
            using HttpResponseMessage response = await Post(server, model, body);
            string error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
            Assert.True(status == (int)response.StatusCode, $"{body}: {(int)response.StatusCode} {error}");
            Assert.True(error.StartsWith(message, StringComparison.Ordinal), $"{body}: {error}");
        }

        // The same unseen value is all zeros for the model that ignores unknown categories, and a known one is fine for the strict model.
        Assert.Equal(HttpStatusCode.OK, (await Post(server, "loans", "{\"rows\": [{\"state\": \"ZZ\"}]}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post(server, "strict", "{\"rows\": [{\"state\": \"CA\"}]}")).StatusCode);
    }

    [Fact]
    public async Task AModelOfNumbersOnlyTakesArraysAsBeforeAndRecordsWithBlanks()
    {
        string path = TrainLoans("numbers.safetensors", "--ignore", "grade,purpose,home_ownership,state,employment,verified");
        Uri server = await Serve("--model", $"numbers={path}");
        TrainedModel model = ModelFile.Load(path);
        float[] numbers = [71226f, 7500f, 7.94f, 36f, 26f, 20.5f, 11f];
        string byPosition = await (await Post(server, "numbers", $"{{\"rows\": [{Row(numbers)}]}}")).Content.ReadAsStringAsync();
        string byName = await (await Post(server, "numbers", "{\"rows\": [{\"income\": 71226, \"loan_amount\": 7500, \"interest_rate\": 7.94, \"term\": 36, \"age\": 26, \"debt_to_income\": 20.5, \"credit_lines\": 11, \"grade\": \"B\"}]}")).Content.ReadAsStringAsync();
        Assert.Equal(byPosition, byName);
        float[] expected = new float[2];
        model.PredictProbabilities(numbers, expected);
        Assert.Equal(expected, JsonDocument.Parse(byPosition).RootElement.GetProperty("predictions")[0].GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()));

        using HttpResponseMessage blank = await Post(server, "numbers", "{\"rows\": [{\"income\": null, \"term\": 60}]}");
        Assert.Equal(HttpStatusCode.OK, blank.StatusCode);
        TableRow row = model.CreateRow();
        row.SetNumber("term", 60f);
        model.PredictProbabilities(row, expected);
        Assert.Equal(expected, JsonDocument.Parse(await blank.Content.ReadAsStringAsync()).RootElement.GetProperty("predictions")[0].GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()));
        string error = JsonDocument.Parse(await (await Post(server, "numbers", "{\"rows\": [[1, 2, 3]]}")).Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
        Assert.StartsWith("row 1 (rows[0]) has 3 values; the model 'numbers' takes 7 numbers", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadingAndPredictingRecordsAllocatesNothingAfterTheFirstRequest()
    {
        TrainedModel model = ModelFile.Load(TrainLoans("loans.safetensors"));
        byte[] body = System.Text.Encoding.UTF8.GetBytes($"{{\"rows\": [{string.Join(", ", Enumerable.Repeat(Records.Select(Json), 8).SelectMany(r => r))}]}}");
        var limits = new Commands.RequestLimits(1000, 1 << 20);
        float sum = 0;
        for (int i = 0; i < 50; i++)
        {
            sum += Read(body, model, limits);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            sum += Read(body, model, limits);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(float.IsFinite(sum) && sum > 0);

        static float Read(byte[] body, TrainedModel model, Commands.RequestLimits limits)
        {
            var request = Commands.PredictionRequest.Read(body, model, "loans", limits);
            float last = request.Rows == Records.Length * 8 ? request.Values[(request.Rows * 2) - 1] : float.NaN;
            request.Return();
            return last;
        }
    }

    private string TrainLoans(string name, params string[] options)
    {
        string path = Path.Combine(_directory, name);
        string data = Path.Combine(Cli.RepositoryRoot(), "tests", "data", "loans", "loans-train.csv");
        Cli.Result trained = Cli.Run(["train", "--data", data, "--label", "default", "--model", "logistic", "--epochs", "5", .. options, "--out", path, "--quiet"]);
        Assert.True(trained.ExitCode == 0, trained.ToString());
        return path;
    }

    /// <summary>A record the way the server is meant to read it: null is missing, a blank category is missing, a column left out is missing.</summary>
    private static void Fill(TableRow row, (string Column, object? Value)[] record)
    {
        row.Clear();
        foreach ((string column, object? value) in record)
        {
            switch (value)
            {
                case null or "":
                    row.SetMissing(column);
                    break;
                case float number:
                    row.SetNumber(column, number);
                    break;
                case string category:
                    row.SetCategory(column, category);
                    break;
            }
        }
    }

    private static string Json((string Column, object? Value)[] record) =>
        "{" + string.Join(", ", record.Select(field => $"\"{field.Column}\": {field.Value switch
        {
            null => "null",
            float number => number.ToString("R", CultureInfo.InvariantCulture),
            string text => JsonSerializer.Serialize(text),
            _ => throw new ArgumentException("a record holds numbers, strings and nulls"),
        }}")) + "}";
}
