using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Native.Cli.Output;
using Native.Numerics;
using Native.Numerics.CompilerServices;

namespace Native.Cli.Commands;

/// <summary>
/// <c>native bench</c>: a quick in-process measurement (not BenchmarkDotNet) of what predictions and training
/// steps cost on this machine, for the generated and the run-time-shaped kernels, with the bytes allocated.
/// The figures are medians of several rounds of about 50 ms each, after a warm-up.
/// </summary>
internal static partial class BenchCommand
{
    /// <summary>Where the figures were measured, for the header line: the runtime, the processors ("1 core", "2 cores") and the kernels' width.</summary>
    private static string Machine =>
        $".NET {Environment.Version}, {Environment.ProcessorCount} core{(Environment.ProcessorCount == 1 ? "" : "s")}, kernels at {Vectorization.Width}";

    private const int BatchRows = 64;

    /// <summary>The most rows, and floats, a <c>--batch</c> may take.</summary>
    private const int MaxBatchRows = 1_000_000, MaxBatchValues = 1 << 26;

    /// <summary>The most rounds a measurement may take.</summary>
    private const int MaxRounds = 1000;

    public static Command Create(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per measurement." };
        var rounds = new Option<int>("--rounds") { Description = "Rounds per measurement (the median is reported).", DefaultValueFactory = _ => 7 };
        var model = new Option<string?>("--model") { Description = "A model file (.safetensors, float or int8, or .onnx): measure its prediction, one row and batched, instead of the built-in shapes." };
        var batch = new Option<int>("--batch") { Description = "With --model: the rows of a batched prediction.", DefaultValueFactory = _ => BatchRows };
        var command = new Command("bench", "Measure prediction and training-step costs on this machine, generated and run-time kernels; or one model file's prediction (--model).") { json, rounds, model, batch };
        command.SetAction(parse => parse.GetValue(model) is string path
            ? RunFile(context, path, parse.GetValue(json), parse.GetValue(rounds), parse.GetValue(batch))
            : parse.Given(batch) ? throw new UsageException("--batch sets the rows of a model file's batched prediction; the built-in shapes take 64. Add --model, or remove it.")
            : Run(context, parse.GetValue(json), parse.GetValue(rounds)));
        return command;
    }

    /// <summary>
    /// <c>native bench --model FILE</c>: that file's prediction as a program holding it predicts — one row, and a batch of
    /// <paramref name="batchRows"/> — through the raw-row calls (its standardizer inside), rows as float arrays near the means,
    /// at an offset that is not a cache line's; ns per row, median of the rounds, and the bytes allocated per call. A model
    /// whose pipeline has categories takes table records instead (<see cref="RunRecords"/>).
    /// </summary>
    public static int RunFile(CliContext context, string path, bool json, int rounds, int batchRows)
    {
        CheckRounds(rounds);
        if (batchRows < 1)
        {
            throw new UsageException("--batch must be at least 1.");
        }

        new Destinations().Reads("--model", path).Check();
        var (file, choice) = ModelFiles.Load(path);
        int features = file.Features;
        if (batchRows > MaxBatchRows || (long)batchRows * Math.Max(features, file.Outputs) > MaxBatchValues)
        {
            // 2,000,000,000 rows of 3 features took 6.7 GB and 15 s, then failed on the product that overflowed an int.
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--batch {batchRows:N0}: at most {MaxBatchRows:N0} rows, and {MaxBatchValues:N0} floats in all ({features:N0} features a row here); a larger batch measures the memory, not the model."));
        }

        if (file.Pipeline is { HasCategories: true } pipeline)
        {
            return RunRecords(context, path, file, pipeline, choice.Kernel, json, rounds, batchRows);
        }

        // Rows near the means (one standard deviation of noise), as a trained model sees them; 3 floats past an array's start.
        var random = new Random(1);
        const int Offset = 3;
        float[] storage = new float[Offset + (batchRows * features)];
        for (int k = 0; k < batchRows * features; k++)
        {
            int j = k % features;
            float mean = file.Standardizer?.Means[j] ?? 0f, deviation = file.Standardizer?.StandardDeviations[j] ?? 1f;
            storage[Offset + k] = mean + (deviation * (float)((random.NextDouble() * 2) - 1));
        }

        ReadOnlyMemory<float> rows = storage.AsMemory(Offset, batchRows * features), row = rows[..features];
        bool classifier = file.Task != ModelTask.Regression;
        int[] classes = new int[batchRows];
        float[] values = new float[batchRows * file.Outputs];
        var (one, oneBytes) = Time(rounds, 1, classifier ? () => file.TryPredictClass(row.Span, out _) : () => file.TryPredictValue(row.Span, out _));
        var (many, manyBytes) = Time(rounds, batchRows, classifier ? () => file.PredictClasses(rows.Span, classes) : () => file.PredictValues(rows.Span, values));
        string precision = file.IsQuantized ? "int8" : "float32";
        if (!json)
        {
            context.Out.WriteLine($"native bench: '{path}', {file.Shape}, {precision}{(choice.Kernel == precision ? "" : $" ({choice.Kernel})")}; {Machine}; median of {rounds} rounds");
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"rows",6} {"ns per row",12} {"allocated",10}"));
        }

        foreach ((int count, double nanoseconds, double bytes) in new[] { (1, one, oneBytes), (batchRows, many, manyBytes) })
        {
            if (json)
            {
                WriteMeasurement(context.Out, path, file.Shape, precision, choice.Kernel, "floats", count, nanoseconds, bytes);
            }
            else
            {
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,6} {nanoseconds,12:N1} {bytes,8:N0} B"));
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>One measurement of a model file as a JSON line: what was measured, on which input, and its cost per row.</summary>
    private static void WriteMeasurement(TextWriter output, string path, ModelShape shape, string precision, string kernel, string input, int rows, double nanoseconds, double bytes) =>
        JsonLines.Write(output, writer =>
        {
            writer.WriteString("model", path);
            writer.WriteString("shape", shape.ToString());
            writer.WriteString("precision", precision);
            writer.WriteString("kernel", kernel);
            writer.WriteString("input", input);
            writer.Number("rows", rows);
            writer.Number("ns_per_row", nanoseconds);
            writer.Number("allocated_bytes_per_call", bytes);
        });

    public static int Run(CliContext context, bool json, int rounds)
    {
        CheckRounds(rounds);

        if (!json)
        {
            context.Out.WriteLine($"native bench: {Machine}; ns per row, median of {rounds} rounds");
            context.Out.WriteLine();
            context.Out.WriteLine($"{"model",-40} {"kernel",-10} {"predict",10} {"batch",10} {"train",10} {"allocated",10}");
        }

        foreach (ModelShape shape in new[]
        {
            ModelShape.SoftmaxRegression(784, 10),
            ModelShape.LogisticRegression(30),
            ModelShape.MultilayerPerceptron([784, 128, 10], [Activation.Relu]),
        })
        {
            foreach (ModelChoice choice in ModelCatalog.Candidates(shape, seed: 1))
            {
                context.Cancellation.ThrowIfCancellationRequested();
                Measure(context.Out, json, rounds, shape, choice);
            }
        }

        return ExitCodes.Success;
    }

    private static void Measure(TextWriter output, bool json, int rounds, ModelShape shape, ModelChoice choice)
    {
        IModel model = choice.Model;
        // Parameters written, as a trained model's are: memory never written since it was allocated is the
        // system's shared page of zeros, which reads at half speed here and would misstate every figure.
        var random = new Random(1);
        foreach (ref float w in model.Parameters)
        {
            w = (float)(random.NextDouble() - 0.5) * 0.01f;
        }

        // Rows 64-byte aligned, as a dataset's are (an unaligned 512-bit load splits a cache line).
        Memory<float> rows = Aligned(BatchRows * model.Features);
        foreach (ref float value in rows.Span)
        {
            value = (float)random.NextDouble();
        }

        int[] labels = new int[BatchRows];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = random.Next(Math.Max(2, shape.Classes));
        }

        float[] targets = Array.ConvertAll(labels, l => (float)l);
        float[] outputs = new float[BatchRows * model.Outputs];
        float[] gradient = new float[model.Parameters.Length];
        var optimizer = new GradientDescent(1e-4f);
        optimizer.Bind(gradient.Length);

        // One row; a batch of 64 (per row); one 64-row step of gradient descent (per row), as the trainer takes it.
        var (predict, predictBytes) = Time(rounds, 1, () => model.Forward(rows.Span[..model.Features], outputs.AsSpan(0, model.Outputs)));
        var (batch, batchBytes) = Time(rounds, BatchRows, () => model.ForwardBatch(rows.Span, outputs));
        var (train, trainBytes) = Time(rounds, BatchRows, () =>
        {
            Batch data = shape.Task == ModelTask.Regression
                ? Batch.FromTargets(rows.Span, model.Features, targets)
                : Batch.FromLabels(rows.Span, model.Features, labels);
            if (model is IFusedGradientStep fused)
            {
                fused.StepInPlace(in data, 1e-4f / BatchRows);
                return;
            }

            Array.Clear(gradient);
            model.AccumulateGradient(in data, gradient);
            TensorPrimitives.Multiply(gradient, 1f / BatchRows, gradient);
            optimizer.Step(model.Parameters, gradient);
        });
        double allocated = Math.Max(predictBytes, Math.Max(batchBytes, trainBytes));

        string name = shape.ToString();
        string kernel = choice.Kernel.StartsWith("generated", StringComparison.Ordinal) ? "generated" : "run-time";
        if (json)
        {
            JsonLines.Write(output, writer =>
            {
                writer.WriteString("model", name);
                writer.WriteString("kernel", kernel);
                writer.Number("predict_ns", predict);
                writer.Number("batch_predict_ns_per_row", batch);
                writer.Number("train_step_ns_per_row", train);
                writer.Number("allocated_bytes_per_operation", allocated);
            });
        }
        else
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40} {kernel,-10} {predict,10:N0} {batch,10:N0} {train,10:N0} {allocated,8:N0} B"));
        }
    }

    /// <summary>
    /// <paramref name="length"/> floats whose first is on a 64-byte boundary: a pinned array (the GC never moves it)
    /// with a line to spare, used from its first boundary.
    /// </summary>
    private static Memory<float> Aligned(int length)
    {
        float[] storage = GC.AllocateArray<float>(length + 16, pinned: true);
        GCHandle handle = GCHandle.Alloc(storage, GCHandleType.Pinned);
        nint address = handle.AddrOfPinnedObject();
        handle.Free();
        return storage.AsMemory((int)((64 - (address & 63)) & 63) / sizeof(float), length);
    }

    /// <summary>
    /// The median nanoseconds per row over the rounds, and the fewest bytes allocated per call in any of at least
    /// three rounds, in whole bytes: an allocation made by every call shows in every round, while the runtime's own
    /// one-time allocation (as it swaps in recompiled code while the loop warms up) shows in one round only.
    /// </summary>
    /// <summary>Refuses rounds below 1, or more than <see cref="MaxRounds"/> (a round is some 50 ms: 2,000,000,000 of them ran for years).</summary>
    private static void CheckRounds(int rounds)
    {
        if (rounds is < 1 or > MaxRounds)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--rounds must be from 1 to {MaxRounds:N0} (a round takes about 50 ms); got {rounds:N0}."));
        }
    }

    private static (double Nanoseconds, double Bytes) Time(int rounds, int rowsPerCall, Action action)
    {
        // Warm up, and size a round at about 50 ms.
        long calls = 1;
        while (true)
        {
            long started = Stopwatch.GetTimestamp();
            for (long i = 0; i < calls; i++)
            {
                action();
            }

            if (Stopwatch.GetElapsedTime(started).TotalMilliseconds >= 50)
            {
                break;
            }

            calls *= 2;
        }

        double[] nanoseconds = new double[rounds];
        double bytes = double.MaxValue;
        for (int r = 0; r < Math.Max(rounds, 3); r++)
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            long started = Stopwatch.GetTimestamp();
            for (long i = 0; i < calls; i++)
            {
                action();
            }

            if (r < rounds)
            {
                nanoseconds[r] = Stopwatch.GetElapsedTime(started).TotalNanoseconds / (calls * rowsPerCall);
            }

            bytes = Math.Min(bytes, (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)calls);
        }

        Array.Sort(nanoseconds);
        return (nanoseconds[rounds / 2], Math.Round(bytes));
    }
}
