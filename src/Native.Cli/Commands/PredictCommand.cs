using System.CommandLine;
using System.Globalization;
using System.Text;
using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary><c>native predict</c>: a saved model's prediction for each input row.</summary>
internal static class PredictCommand
{
    /// <summary>Rows predicted together (one batch call of the model).</summary>
    private const int ChunkRows = 256;

    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "The model file (safetensors, from native train --out).", Required = true };
        var input = new Option<string>("--input") { Description = "The rows: a CSV file ('-' for standard input), an IDX images file, or a directory holding one.", Required = true };
        var format = new Option<string?>("--format") { Description = "csv or idx (default: idx for a directory or an -idx3- file, csv otherwise)." };
        format.AcceptOnlyFromAmong("csv", "idx");
        var label = new Option<string?>("--label") { Description = "CSV: the name of a label column to skip (default: the last column, when there is one more column than features)." };
        var json = new Option<bool>("--json") { Description = "One JSON object per row: class and probabilities, or value." };
        var command = new Command("predict", "Predict each row of the input with a saved model: the class and its probabilities, or the value.")
        {
            model, input, format, label, json,
        };
        command.SetAction(parse => Run(context, parse.GetValue(model)!, parse.GetValue(input)!, parse.GetValue(format), parse.GetValue(label), parse.GetValue(json)));
        return command;
    }

    public static int Run(CliContext context, string modelPath, string inputPath, string? format, string? label, bool json)
    {
        var (file, choice) = ModelFiles.Load(modelPath);
        IModel model = choice.Model;
        float[] rows = ReadRows(context, inputPath, format, label, model.Features);
        int count = rows.Length / model.Features;
        if (file.Standardizer is { } standardizer)
        {
            for (int i = 0; i < count; i++)
            {
                Span<float> row = rows.AsSpan(i * model.Features, model.Features);
                standardizer.Transform(row, row);
            }
        }

        // Predict in chunks, and write a line per row.
        int outputs = model is IClassifier classifier ? classifier.Classes : 1;
        float[] results = new float[ChunkRows * outputs];
        var line = new StringBuilder();
        for (int start = 0; start < count; start += ChunkRows)
        {
            int n = Math.Min(ChunkRows, count - start);
            ReadOnlySpan<float> chunk = rows.AsSpan(start * model.Features, n * model.Features);
            Span<float> output = results.AsSpan(0, n * outputs);
            switch (model)
            {
                case IClassifier c:
                    c.PredictProbabilities(chunk, output);
                    break;
                case IRegressor r:
                    r.Predict(chunk, output);
                    break;
            }

            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> result = output.Slice(i * outputs, outputs);
                if (model is IClassifier)
                {
                    // The most probable class, ties to the lower class, as Predict chooses.
                    int best = 0;
                    for (int k = 1; k < result.Length; k++)
                    {
                        best = result[k] > result[best] ? k : best;
                    }

                    WriteClass(context.Out, line, json, best, file.ClassNames, result);
                }
                else
                {
                    WriteValue(context.Out, json, result[0]);
                }
            }
        }

        return ExitCodes.Success;
    }

    private static float[] ReadRows(CliContext context, string path, string? format, string? label, int features)
    {
        format ??= Directory.Exists(path) || Path.GetFileName(path).Contains("-idx3-", StringComparison.Ordinal) ? "idx" : "csv";
        if (format == "idx")
        {
            string imagesPath = Directory.Exists(path) ? Idx.FindFiles(path).Images : path;
            IdxImages images = Idx.ReadImages(imagesPath);
            if (images.PixelsPerImage != features)
            {
                throw new UsageException($"The images have {images.PixelsPerImage} pixels; the model takes {features} features.");
            }

            float[] rows = new float[images.Pixels.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                rows[i] = images.Pixels[i] / 255f;
            }

            return rows;
        }

        if (path == "-")
        {
            using Stream input = context.OpenInput();
            return Csv.ReadFeatures(input, features, label, "standard input");
        }

        return File.Exists(path) ? Csv.ReadFeatures(path, features, label) : throw new FileNotFoundException($"The input file '{path}' does not exist.", path);
    }

    private static void WriteClass(TextWriter output, StringBuilder line, bool json, int best, IReadOnlyList<string> names, ReadOnlySpan<float> probabilities)
    {
        if (json)
        {
            float[] values = probabilities.ToArray();
            JsonLines.Write(output, writer =>
            {
                if (names.Count > 0)
                {
                    writer.WriteString("class", names[best]);
                }
                else
                {
                    writer.WriteNumber("class", best);
                }

                writer.WriteStartArray("probabilities");
                foreach (float p in values)
                {
                    writer.WriteNumberValue(p);
                }

                writer.WriteEndArray();
            });
            return;
        }

        line.Clear().Append(names.Count > 0 ? names[best] : best.ToString(CultureInfo.InvariantCulture));
        foreach (float p in probabilities)
        {
            line.Append(' ').Append(p.ToString("F6", CultureInfo.InvariantCulture));
        }

        output.WriteLine(line.ToString());
    }

    private static void WriteValue(TextWriter output, bool json, float value)
    {
        if (json)
        {
            JsonLines.Write(output, writer => writer.WriteNumber("value", value));
        }
        else
        {
            output.WriteLine(value.ToString("R", CultureInfo.InvariantCulture));
        }
    }
}
