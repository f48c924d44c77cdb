using System.Buffers;
using System.Globalization;
using System.Text;
using Native.Cli.Commands;
using Native.Numerics;

namespace Native.Cli.Tests;

/// <summary>
/// The prediction request's reader on its own, over many seeded random bodies: what is read is what was sent, bit for bit,
/// and a body cut anywhere or damaged anywhere is refused with a 400 or 413 — never another exception, never a row read wrong.
/// </summary>
public class ServeRequestTests
{
    private static readonly TrainedModel Iris = new(new SoftmaxRegression(4, 3), new ModelMetadata { FeatureNames = ["sepal_length", "sepal_width", "petal_length", "petal_width"] });
    private static readonly RequestLimits Limits = new(MaxRows: 64, MaxBodyBytes: 1 << 20);

    [Fact]
    public void EveryFloatSentIsReadBitForBitByPositionAndByName()
    {
        var random = new Random(24);
        for (int trial = 0; trial < 2000; trial++)
        {
            int rows = random.Next(1, 9);
            float[] sent = [.. Enumerable.Range(0, rows * 4).Select(_ => Float(random))];
            bool named = trial % 2 == 1;
            byte[] body = Encoding.UTF8.GetBytes(Body(sent, named));
            PredictionRequest request = PredictionRequest.Read(body, Iris, "iris", Limits);
            try
            {
                Assert.Equal(rows, request.Rows);
                for (int i = 0; i < sent.Length; i++)
                {
                    Assert.Equal(BitConverter.SingleToInt32Bits(sent[i]), BitConverter.SingleToInt32Bits(request.Values[i]));
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(request.Values);
            }
        }
    }

    [Fact]
    public void ABodyCutAnywhereOrDamagedAnywhereIsRefusedWithA400()
    {
        var random = new Random(7);
        byte[] noise = "x[]{}\",:-+.eE0123456789 \u00e9"u8.ToArray();
        for (int trial = 0; trial < 3000; trial++)
        {
            float[] sent = [.. Enumerable.Range(0, 4 * random.Next(1, 4)).Select(_ => Float(random))];
            byte[] body = Encoding.UTF8.GetBytes(Body(sent, named: trial % 3 == 0));
            byte[] damaged = trial % 2 == 0
                ? body[..random.Next(0, body.Length - 1)]
                : [.. body[..random.Next(0, body.Length)], noise[random.Next(noise.Length)], .. body[random.Next(0, body.Length)..]];
            try
            {
                PredictionRequest request = PredictionRequest.Read(damaged, Iris, "iris", Limits);
                // A damage that leaves valid JSON of the right shape (a digit added to a number, say) reads as what it says.
                Assert.InRange(request.Rows, 1, Limits.MaxRows);
                ArrayPool<float>.Shared.Return(request.Values);
            }
            catch (RequestRefusedException refused)
            {
                Assert.True(refused.Status is 400 or 413, refused.Message);
                Assert.DoesNotContain('\n', refused.Message);
            }
        }
    }

    [Fact]
    public void TheDepthAndTheRowCountAreCheckedAsTheBodyIsRead()
    {
        var deep = Assert.Throws<RequestRefusedException>(() => PredictionRequest.Read("{\"rows\": [[[[[[1]]]]]]}"u8, Iris, "iris", Limits));
        Assert.Equal(400, deep.Status);
        string many = "{\"rows\": [" + string.Join(",", Enumerable.Repeat("[1,2,3,4]", 65)) + "]}";
        var tooMany = Assert.Throws<RequestRefusedException>(() => PredictionRequest.Read(Encoding.UTF8.GetBytes(many), Iris, "iris", Limits));
        Assert.Equal(413, tooMany.Status);
        var unnamed = new TrainedModel(new SoftmaxRegression(2, 2));
        var byName = Assert.Throws<RequestRefusedException>(() => PredictionRequest.Read("{\"rows\": [{\"a\": 1, \"b\": 2}]}"u8, unnamed, "m", Limits));
        Assert.Equal("row 1 (rows[0]) is an object, but the model 'm' does not know its columns' names: send each row as an array of 2 numbers.", byName.Message);
    }

    [Theory]
    [InlineData("{\"rows\\ud800\": [[1,2,3,4]]}", 2)]
    [InlineData("{\"rows\": [{\"sepal\\ud800length\": 1}]}", 12)]
    [InlineData("{\"\\ud800\": 1}", 2)]
    public void AnEscapeOfHalfASurrogatePairIsA400(string body, int at)
    {
        // The reader's unescaping threw InvalidOperationException comparing the name: answered 500, "the server failed".
        var refused = Assert.Throws<RequestRefusedException>(() => PredictionRequest.Read(Encoding.UTF8.GetBytes(body), Iris, "iris", Limits));
        Assert.Equal(400, refused.Status);
        Assert.StartsWith($"the string at byte {at} of the body is not valid text: ", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyBodyIsNamedAsOne()
    {
        // It answered in the JSON reader's words: "The input does not contain any JSON tokens. … when isFinalBlock is true".
        var empty = Assert.Throws<RequestRefusedException>(() => PredictionRequest.Read(ReadOnlySpan<byte>.Empty, Iris, "iris", Limits));
        Assert.Equal(400, empty.Status);
        Assert.Equal("the body is empty; send a JSON object, {\"rows\": […]}.", empty.Message);
        Assert.StartsWith("the body is not valid JSON: ", Assert.Throws<RequestRefusedException>(() => PredictionRequest.Read(" "u8, Iris, "iris", Limits)).Message, StringComparison.Ordinal);
    }

    /// <summary>A finite float of any magnitude: ordinary, tiny, subnormal, huge, negative zero.</summary>
    private static float Float(Random random) => (random.Next(6)) switch
    {
        0 => (float)((random.NextDouble() * 20) - 10),
        1 => BitConverter.Int32BitsToSingle(random.Next(1, 0x007FFFFF)), // subnormal
        2 => float.MaxValue * (float)random.NextDouble(),
        3 => -0f,
        4 => (float)Math.Pow(10, random.Next(-38, 38)) * (random.Next(2) == 0 ? 1 : -1),
        _ => BitConverter.Int32BitsToSingle(random.Next() & 0x7F7FFFFF),
    };

    private static string Body(float[] values, bool named)
    {
        string[] names = ["sepal_length", "sepal_width", "petal_length", "petal_width"];
        var rows = new List<string>();
        for (int r = 0; r < values.Length / 4; r++)
        {
            IEnumerable<string> cells = Enumerable.Range(0, 4).Select(c => values[(r * 4) + c].ToString("R", CultureInfo.InvariantCulture));
            rows.Add(named
                ? "{" + string.Join(", ", cells.Select((v, c) => $"\"{names[c]}\": {v}").Reverse()) + "}"
                : "[" + string.Join(", ", cells) + "]");
        }

        return "{\"rows\": [" + string.Join(", ", rows) + "]}";
    }
}
