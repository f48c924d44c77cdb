using System.Globalization;
using Native.Cli.Commands;
using Native.Numerics;

namespace Native.Cli.Tests;

/// <summary>
/// <c>native train</c> keeps a CSV file's rows as bytes when every feature is an integer 0–255, and trains on them the model
/// it trains on the same values stored as floats, to the bit.
/// </summary>
public class ByteRowTrainTests
{
    [Fact]
    public void AnIntegerCsvIsKeptAsBytesAndAFractionalOneAsFloats()
    {
        string directory = Cli.TemporaryDirectory();
        string integers = Write(directory, "integers.csv", negativeZero: false);
        string fractions = Path.Combine(directory, "fractions.csv");
        File.WriteAllLines(fractions, File.ReadAllLines(integers).Select((line, i) => i == 3 ? "0.5" + line[line.IndexOf(',', StringComparison.Ordinal)..] : line));

        TrainCommand.Prepared bytes = TrainCommand.LoadAndSplit(Settings(integers), (new CsvOptions(), new IdxOptions()), regression: false, table: null);
        Assert.True(bytes.Training.StoresBytes);
        Assert.True(bytes.Validation!.StoresBytes);
        Assert.Equal(40, bytes.Training.Count + bytes.Validation.Count);

        TrainCommand.Prepared floats = TrainCommand.LoadAndSplit(Settings(fractions), (new CsvOptions(), new IdxOptions()), regression: false, table: null);
        Assert.False(floats.Training.StoresBytes);
    }

    [Fact]
    public void TrainingOnAnIntegerCsvSavesTheModelItsFloatRowsWouldHaveGiven()
    {
        // The same values, but one zero written "-0": a byte cannot hold −0, so that file stays floats. Standardized, −0 and 0
        // give the same bits ((−0 − mean) = (0 − mean) for the column's nonzero mean), so the two runs must agree exactly.
        string directory = Cli.TemporaryDirectory();
        string integers = Write(directory, "integers.csv", negativeZero: false);
        string floats = Write(directory, "floats.csv", negativeZero: true);
        float[] Train(string data)
        {
            string model = Path.ChangeExtension(data, ".safetensors");
            Cli.Result result = Cli.Run("train", "--data", data, "--model", "softmax", "--epochs", "4", "--batch", "8", "--seed", "3", "--standardize", "--validation", "0.25", "--quiet", "--out", model);
            Assert.True(result.ExitCode == 0, result.ToString());
            return ModelFile.Load(model).Model.Parameters.ToArray();
        }

        Assert.False(TrainCommand.LoadAndSplit(Settings(floats), (new CsvOptions(), new IdxOptions()), regression: false, table: null).Training.StoresBytes);
        Assert.True(TrainCommand.LoadAndSplit(Settings(integers), (new CsvOptions(), new IdxOptions()), regression: false, table: null).Training.StoresBytes);
        float[] fromBytes = Train(integers);
        float[] fromFloats = Train(floats);
        Assert.Equal(fromFloats.Select(BitConverter.SingleToInt32Bits), fromBytes.Select(BitConverter.SingleToInt32Bits));
        Assert.Contains(fromBytes, w => w != 0f);
    }

    // 40 rows of 12 "pixels" (integers 0–255, the first feature 0 in row 0 and not elsewhere) and a label 0–2.
    private static string Write(string directory, string name, bool negativeZero)
    {
        var random = new Random(5);
        var lines = new List<string> { string.Join(',', Enumerable.Range(0, 12).Select(j => $"p{j}")) + ",label" };
        for (int i = 0; i < 40; i++)
        {
            IEnumerable<string> pixels = Enumerable.Range(0, 12).Select(j =>
                j == 0 ? (i == 0 ? (negativeZero ? "-0" : "0") : (1 + random.Next(255)).ToString(CultureInfo.InvariantCulture)) : random.Next(256).ToString(CultureInfo.InvariantCulture));
            lines.Add(string.Join(',', pixels) + "," + (i % 3).ToString(CultureInfo.InvariantCulture));
        }

        string path = Path.Combine(directory, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private static TrainSettings Settings(string data) => new(
        data, null, null, ModelKind.SoftmaxRegression, null, null, OptimizerKind.GradientDescent, null, null, 8, 1, 0f, false, false, 0.25, false, null, 1, 1, null, null, false, true);
}
