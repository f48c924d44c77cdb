using System.Globalization;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Native.Generators;
using Native.Numerics;

namespace Native.Generators.Tests;

// What the typed-row tests share: the consumer program compiled beside the generated model, its compilation, the records.
public partial class TypedRowTests
{
    /// <summary>A consumer of the compiled loans model: rows made from CSV fields as a user would, and each call on them.</summary>
    private const string Consumer = """
        using System.Globalization;
        using Native.Numerics;
        namespace Demo;

        [GeneratedModel("models/loans.safetensors")]
        public static partial class Loans;

        /// <summary>Rows from CSV fields, and the calls on them.</summary>
        public static class Driver
        {
            /// <summary>A row from a record's fields, in the file's order.</summary>
            public static Loans.Row Row(string[] f) => new()
            {
                Income = Number(f[1]),
                LoanAmount = Number(f[2]),
                InterestRate = Number(f[3]),
                Term = Number(f[4]),
                Age = Number(f[5]),
                DebtToIncome = Number(f[6]),
        #if !TARGETS
                CreditLines = Number(f[7]),
        #endif
                Grade = f[8],
                Purpose = f[9],
                HomeOwnership = f[10],
                State = f[11],
                Employment = f[12],
                Verified = f[13],
            };

            /// <summary>The encoded row.</summary>
            public static void Encode(string[] f, float[] features) => Loans.Encode(Row(f), features);

            /// <summary>Every prediction of a record, after checking the calls agree.</summary>
            public static float[] Predict(string[] f)
            {
                Loans.Row row = Row(f);
        #if TARGETS
                float[] values = new float[Loans.Outputs];
                Loans.PredictValues(in row, values);
                return values;
        #elif REGRESSION
                float[] one = new float[1];
                Loans.PredictValues(in row, one);
                return [Loans.PredictValue(in row), Loans.TryPredictValue(in row, out float value) ? value : -1f, one[0]];
        #else
                float[] probabilities = new float[Loans.Classes];
                Loans.PredictProbabilities(in row, probabilities);
                string name = Loans.PredictClassName(in row);
                if (!Loans.TryPredictClass(in row, out int tried) || tried != Loans.PredictClass(in row) || name != Loans.ClassNames[tried])
                {
                    throw new System.InvalidOperationException("the calls disagree");
                }

                return [.. probabilities, Loans.PredictClass(in row)];
        #endif
            }

            /// <summary>The bytes allocated by predicting each record, after warming up.</summary>
            public static long Allocated(string[][] records)
            {
                Loans.Row[] rows = new Loans.Row[records.Length];
                for (int i = 0; i < rows.Length; i++)
                {
                    rows[i] = Row(records[i]);
                }

                float[] probabilities = new float[2];
                float sum = 0;
                long least = long.MaxValue;
                for (int attempt = 0; attempt < 8; attempt++)
                {
                    // The first attempts warm up (the static engine, the JIT's tiers); the least of them is what a call costs.
                    long before = System.GC.GetAllocatedBytesForCurrentThread();
                    foreach (Loans.Row row in rows)
                    {
        #if TARGETS
                        Loans.PredictValues(in row, probabilities);
                        sum += probabilities[1];
        #elif REGRESSION
                        sum += Loans.PredictValue(in row);
                        sum += Loans.TryPredictValue(in row, out float value) ? value : 0f;
                        Loans.PredictValues(in row, new System.Span<float>(probabilities, 0, 1));
        #else
                        sum += Loans.PredictClass(in row);
                        sum += Loans.PredictClassName(in row).Length;
                        Loans.PredictProbabilities(in row, probabilities);
                        sum += Loans.TryPredictClass(in row, out int tried) ? tried : 0;
        #endif
                    }

                    least = System.Math.Min(least, System.GC.GetAllocatedBytesForCurrentThread() - before);
                }

                return sum > float.MinValue ? least : -1;
            }

            private static float? Number(string text) =>
                string.IsNullOrWhiteSpace(text) || text.Trim() == "NA" ? null : float.Parse(text, CultureInfo.InvariantCulture);
        }
        """;

    /// <summary>Trains nothing: a model of <paramref name="kind"/> with seeded parameters, saved with the pipeline fitted to loans-train.csv under <paramref name="options"/>, compiled into the consumer.</summary>
    private static (Type Driver, TrainedModel Loaded) Compile(FileModelHarness harness, string kind, string options)
    {
        // "… int8": the model quantized on its table (the pipeline kept in floats) before it is saved.
        bool int8 = options.EndsWith(Int8, StringComparison.Ordinal);
        options = Base(options);
        var tableOptions = new TableOptions
        {
            LabelColumns = kind == "targets" ? ["default", "credit_lines"] : ["default"],
            Labels = kind is "linear" or "perceptron regressor" or "targets" ? CsvLabels.Regression : CsvLabels.Infer,
            MissingIndicators = options == "indicators",
            Imputation = options == "indicators" ? Imputation.Median : Imputation.Mean,
            MissingTokens = options == "indicators" ? ["NA"] : [],
            MaxCategories = options == "other" ? 4 : 100,
            UnknownCategories = options == "error" ? UnknownCategories.Error : UnknownCategories.Ignore,
            Standardize = options != "unstandardized",
        };
        TableData training = Table.Read(Path.Combine(Loans, "loans-train.csv"), tableOptions);
        int features = training.Pipeline.Features;
        IModel model = kind switch
        {
            "logistic" => new LogisticRegression(features),
            "softmax" => new SoftmaxRegression(features, 2),
            "perceptron" => new MultilayerPerceptron([features, 16, 2], Activation.Relu, seed: 1),
            "perceptron regressor" => new MultilayerPerceptronRegressor([features, 12, 1], Activation.Tanh, seed: 1),
            "targets" => new MultilayerPerceptronRegressor([features, 8, 2], Activation.Relu, seed: 2),
            _ => new LinearRegression(features),
        };
        var random = new Random(kind.Length + options.Length);
        float scale = 1f / MathF.Sqrt(features);
        for (int i = 0; i < model.Parameters.Length; i++)
        {
            model.Parameters[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        string path = harness.PathOf(File);
        if (int8)
        {
            ModelFile.Save(new TrainedModel(model, training.Metadata).Quantize(training), path);
        }
        else
        {
            ModelFile.Save(model, path, training.Metadata);
        }

        string source = kind switch
        {
            "targets" => "#define TARGETS\n",
            "linear" or "perceptron regressor" => "#define REGRESSION\n",
            _ => string.Empty,
        } + Consumer;
        var (result, output) = harness.Run(source, File);
        Assert.Empty(result.Diagnostics);
        var problems = GeneratorHarness.Problems(output);
        Assert.True(problems.IsEmpty, string.Join("\n", problems.Take(20)));
        TrainedModel loaded = ModelFile.Load(path);
        Assert.Equal(int8, loaded.IsQuantized);
        return (FileModelHarness.Load(output).GetType("Demo.Driver")!, loaded);
    }

    /// <summary>The suffix of the options of a model quantized to int8 before it is saved.</summary>
    private const string Int8 = " int8";

    /// <summary>The table options' name without <see cref="Int8"/>.</summary>
    private static string Base(string options) => options.EndsWith(Int8, StringComparison.Ordinal) ? options[..^Int8.Length] : options;

    /// <summary>The records of a loans file, split on commas (the files quote nothing), and its header.</summary>
    private static string[] ReadRecords(string name, out string[][] records)
    {
        string[] lines = System.IO.File.ReadAllLines(Path.Combine(Loans, name));
        records = [.. lines.Skip(1).Where(line => line.Length > 0).Select(line => line.Split(','))];
        return lines[0].Split(',');
    }

    /// <summary>With missing tokens, every third blank written as the token instead, and a category written with spaces around it.</summary>
    private static string[][] WithMissingTokens(string[][] records, string options)
    {
        if (Base(options) != "indicators")
        {
            return records;
        }

        int blank = 0;
        return [.. records.Select(record => record.Select(field => field.Length == 0 && blank++ % 3 == 0 ? (blank % 2 == 0 ? "NA" : " NA ") : field).ToArray())];
    }

    private static void Same(float expected, float actual, string what) =>
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"{what}: expected {expected:R}, got {actual:R}");

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(directory.FullName, "Native.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No directory above '{AppContext.BaseDirectory}' holds Native.sln.");
    }
}
