using System.Globalization;
using ParquetSharp;

namespace Native.Cli.Tests;

/// <summary>
/// A table with text and blanks as Parquet (the loans data written with string columns and nulls): <c>native train</c>
/// fits the same pipeline and model as on the CSV twin, and <c>evaluate</c> and <c>predict</c> give the same answers from
/// either file, with errors at the Parquet file's rows.
/// </summary>
public sealed class ParquetTableCliTests : IDisposable
{
    private readonly string _directory = Cli.TemporaryDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void TrainEvaluateAndPredictReadAParquetTableAsItsCsvTwin()
    {
        (string trainCsv, string trainParquet) = Twins("loans-train", blanks: 7);
        (string testCsv, string testParquet) = Twins("loans-test", blanks: 5);
        string fromCsv = Path.Combine(_directory, "csv.safetensors"), fromParquet = Path.Combine(_directory, "parquet.safetensors");
        Cli.Result csv = Cli.Run("train", "--data", trainCsv, "--model", "mlp", "--hidden", "8", "--epochs", "3", "--seed", "4", "--out", fromCsv, "--json");
        Cli.Result parquet = Cli.Run("train", "--data", trainParquet, "--model", "mlp", "--hidden", "8", "--epochs", "3", "--seed", "4", "--out", fromParquet, "--json");
        Assert.True(csv.ExitCode == 0, csv.ToString());
        Assert.True(parquet.ExitCode == 0, parquet.ToString());
        Assert.Equal(Weights(fromCsv), Weights(fromParquet)); // the same pipeline, rows and training, to the bit

        // Held-out rows from either file, through either model: the same metrics, the same predictions line by line.
        string expected = Cli.Run("evaluate", "--model", fromCsv, "--data", testCsv, "--json").Output;
        Assert.Contains("\"accuracy\"", expected, StringComparison.Ordinal);
        Assert.Equal(expected, Cli.Run("evaluate", "--model", fromParquet, "--data", testParquet, "--json").Output);
        Cli.Result predicted = Cli.Run("predict", "--model", fromParquet, "--input", testParquet);
        Assert.True(predicted.ExitCode == 0, predicted.ToString());
        Assert.Equal(Cli.Run("predict", "--model", fromCsv, "--input", testCsv).Output, predicted.Output);
        Assert.Equal(3001, predicted.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // a header and a line a row

        // int8, calibrated on either file: the same integer tensors (the metadata differ by the data file's name), the same answers.
        string int8Csv = Path.Combine(_directory, "csv-int8.safetensors"), int8Parquet = Path.Combine(_directory, "parquet-int8.safetensors");
        Assert.Equal(0, Cli.Run("quantize", "--model", fromCsv, "--data", trainCsv, "--rows", "500", "--out", int8Csv).ExitCode);
        Cli.Result quantized = Cli.Run("quantize", "--model", fromParquet, "--data", trainParquet, "--rows", "500", "--out", int8Parquet);
        Assert.True(quantized.ExitCode == 0, quantized.ToString());
        Assert.Contains("calibrated on 500 rows of", quantized.Output, StringComparison.Ordinal);
        Assert.Equal(Tensors(int8Csv), Tensors(int8Parquet));
        Assert.Equal(Cli.Run("predict", "--model", int8Csv, "--input", testCsv).Output, Cli.Run("predict", "--model", int8Parquet, "--input", testParquet).Output);
    }

    [Fact]
    public void ARefusedValueNamesTheParquetFileAndRow()
    {
        (string trainCsv, _) = Twins("loans-train", blanks: 0);
        string strict = Path.Combine(_directory, "strict.safetensors");
        Assert.Equal(0, Cli.Run("train", "--data", trainCsv, "--epochs", "1", "--unknown-categories", "error", "--out", strict, "--quiet").ExitCode);
        string[] lines = File.ReadAllLines(trainCsv); // rows whose categories the model knows, but one
        string[] fields = lines[41].Split(',');
        fields[11] = "ZZ"; // state
        lines[41] = string.Join(',', fields);
        string csv = Path.Combine(_directory, "odd.csv"), parquet = Path.Combine(_directory, "odd.parquet");
        File.WriteAllLines(csv, lines[..60]);
        WriteParquet(csv, parquet);
        string fromCsv = Cli.Run("predict", "--model", strict, "--input", csv).Error;
        Assert.True(fromCsv.StartsWith($"native: '{csv}', line 42, column ", StringComparison.Ordinal), fromCsv);

        Cli.Result result = Cli.Run("predict", "--model", strict, "--input", parquet);
        Assert.Equal(1, result.ExitCode);
        Assert.True(result.Error.StartsWith($"native: '{parquet}': row 40: column 'state': 'ZZ' is not one of the", StringComparison.Ordinal), result.Error); // line 42 of the CSV
    }

    [Fact]
    public void NullsInANumbersOnlyParquetFileSayHowToImputeAndImputeWhenAsked()
    {
        string data = Path.Combine(Cli.RepositoryRoot(), "tests", "Native.Numerics.Parquet.Tests", "Fixtures", "null-feature.parquet");
        Cli.Result refused = Cli.Run("train", "--data", data, "--epochs", "1", "--quiet");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("the feature is null (missing); the numeric reader does not impute: fill or drop the row, or train on the file read as a table, which imputes blanks (ParquetTable.Read; native train: --impute mean).", refused.Error, StringComparison.Ordinal);
        string model = Path.Combine(_directory, "imputed.safetensors");
        Cli.Result imputed = Cli.Run("train", "--data", data, "--epochs", "1", "--impute", "mean", "--out", model, "--quiet");
        Assert.True(imputed.ExitCode == 0, imputed.ToString());
        Assert.Equal(0, Cli.Run("evaluate", "--model", model, "--data", data).ExitCode);
    }

    private static float[] Weights(string path) => [.. Numerics.ModelFile.Load(path).Model.Parameters.ToArray()];

    /// <summary>A safetensors file's tensor bytes: what follows its 8-byte header length and JSON header.</summary>
    private static byte[] Tensors(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return bytes[(8 + (int)BitConverter.ToInt64(bytes, 0))..];
    }

    /// <summary>The loans file <paramref name="name"/>, every <paramref name="blanks"/>th value of some columns blanked (0: none), as CSV and as Parquet.</summary>
    private (string Csv, string Parquet) Twins(string name, int blanks)
    {
        string[] lines = File.ReadAllLines(Path.Combine(Cli.RepositoryRoot(), "tests", "data", "loans", name + ".csv"));
        for (int i = 1; blanks > 0 && i < lines.Length; i++)
        {
            string[] fields = lines[i].Split(',');
            if (i % blanks == 0)
            {
                fields[1] = ""; // income
                fields[8] = ""; // grade
            }

            if (i % (blanks + 2) == 0)
            {
                fields[11] = ""; // state
            }

            lines[i] = string.Join(',', fields);
        }

        string csv = Path.Combine(_directory, name + ".csv"), parquet = Path.Combine(_directory, name + ".parquet");
        File.WriteAllLines(csv, lines);
        WriteParquet(csv, parquet);
        return (csv, parquet);
    }

    /// <summary>A CSV file (no quoting) as Parquet: a column of numbers as nullable doubles, any other as nullable strings; a blank a null.</summary>
    private static void WriteParquet(string csv, string parquet)
    {
        string[] lines = File.ReadAllLines(csv);
        string[] names = lines[0].Split(',');
        string[][] rows = [.. lines.Skip(1).Select(line => line.Split(','))];
        bool[] numbers = [.. names.Select((_, j) => rows.All(r => r[j].Length == 0 || double.TryParse(r[j], NumberStyles.Float, CultureInfo.InvariantCulture, out double _)))];
        Column[] columns = [.. names.Select((n, j) => numbers[j] ? (Column)new Column<double?>(n) : new Column<string>(n))];
        using var writer = new ParquetFileWriter(parquet, columns);
        using RowGroupWriter group = writer.AppendRowGroup();
        for (int j = 0; j < names.Length; j++)
        {
            if (numbers[j])
            {
                using LogicalColumnWriter<double?> column = group.NextColumn().LogicalWriter<double?>();
                column.WriteBatch([.. rows.Select(r => r[j].Length == 0 ? (double?)null : double.Parse(r[j], CultureInfo.InvariantCulture))]);
            }
            else
            {
                using LogicalColumnWriter<string> column = group.NextColumn().LogicalWriter<string>();
                column.WriteBatch([.. rows.Select(r => r[j].Length == 0 ? null! : r[j])]);
            }
        }

        writer.Close();
    }
}
