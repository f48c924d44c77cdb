using System.Text.Json;

namespace Native.Cli.Tests;

public class BenchTests
{
    [Fact]
    public void BenchMeasuresEveryShapeAndAllocatesNothing()
    {
        Cli.Result result = Cli.Run("bench", "--json", "--rounds", "1");
        Assert.True(result.ExitCode == 0, result.ToString());
        IReadOnlyList<JsonElement> lines = result.JsonLines();
        string[] models = lines.Select(l => l.GetProperty("model").GetString()!).Distinct().ToArray();
        Assert.Equal(["SoftmaxRegression 784-10", "LogisticRegression 30-1", "MultilayerPerceptron 784-128-10 (Relu)"], models);
        Assert.Contains(lines, l => l.GetProperty("kernel").GetString() == "run-time");
        foreach (JsonElement line in lines)
        {
            Assert.True(line.GetProperty("predict_ns").GetDouble() > 0);
            Assert.True(line.GetProperty("batch_predict_ns_per_row").GetDouble() > 0);
            Assert.True(line.GetProperty("train_step_ns_per_row").GetDouble() > 0);
            Assert.Equal(0, line.GetProperty("allocated_bytes_per_operation").GetDouble());
        }
    }
}
