using System.Runtime.InteropServices;
using BenchmarkDotNet.Running;
using Native.BeforeAfter;
using Native.Numerics;

// dotnet run -c Release -- check                      the bits of every model's outputs at this process's vector width
// dotnet run -c Release -- time MODEL KIND              a quick timing (not a benchmark): minimum of 30 rounds after 2 s of warm-up
// dotnet run -c Release -- baseline DIR [--width W] [BDN options]  the benchmarks, this tree against the tree in DIR
if (args is ["check", ..])
{
    Check.Print();
    return;
}

if (args is ["time", string what, string kind])
{
    Timing.Print(what, kind);
    return;
}

if (args is ["baseline", string baseline, .. var rest])
{
    BeforeAfterConfig.Baseline = Path.GetFullPath(baseline);
    if (rest is ["--width", string width, .. var others])
    {
        BeforeAfterConfig.Width = width;
        rest = others;
    }

    BenchmarkSwitcher.FromAssembly(typeof(Catalog).Assembly).Run(rest);
    return;
}

Console.Error.WriteLine("usage: check | baseline DIR [--width Vector512|Vector256|Vector128|Scalar] [BenchmarkDotNet options, e.g. --filter '*' --join]");
Environment.Exit(2);

/// <summary>Hashes of the bits every operation writes, one line each, for comparing two builds with diff.</summary>
internal static class Check
{
    public static void Print()
    {
        Console.WriteLine($"width {Vectorization.Width}");
        foreach (string name in Catalog.Names)
        {
            (IModel generated, IModel runTime) = Catalog.Pair(name);
            Print(name + " generated", generated);
            Print(name + " run-time", runTime);
        }

        // The compiled model, standardizing as its first layer reads.
        (float[] rows, _) = Catalog.Data(CompiledMnist.Features, 10, 100, seed: 3);
        float[] probabilities = new float[100 * 10];
        for (int i = 0; i < 100; i++)
        {
            CompiledMnist.PredictProbabilities(rows.AsSpan(i * CompiledMnist.Features, CompiledMnist.Features), probabilities.AsSpan(i * 10, 10));
        }

        Console.WriteLine($"compiled mnist rows {Hash(probabilities)}");
        CompiledMnist.PredictProbabilities(rows, probabilities);
        Console.WriteLine($"compiled mnist batch {Hash(probabilities)}");
    }

    private static void Print(string name, IModel model)
    {
        int features = model.Features, outputs = model.Outputs;
        (float[] rows, int[] labels) = Catalog.Data(features, outputs, 200);
        float[] values = new float[200 * outputs];

        // One row at a time (the one-row kernel), then the batch kernels.
        for (int i = 0; i < 200; i++)
        {
            model.Forward(rows.AsSpan(i * features, features), values.AsSpan(i * outputs, outputs));
        }

        string one = Hash(values);
        model.ForwardBatch(rows, values);
        string many = Hash(values);
        Batch batch = Batch.FromLabels(rows, features, labels);
        float loss = model.Loss(in batch);
        float[] gradient = new float[model.Parameters.Length];
        float summed = model.AccumulateGradient(in batch, gradient);

        // Steps in place: one chunk (the fused step), then several (through a gradient buffer).
        float[] before = model.Parameters.ToArray();
        var fused = (Native.Numerics.CompilerServices.IFusedGradientStep)model;
        float first = fused.StepInPlace(Batch.FromLabels(rows.AsSpan(0, 64 * features), features, labels.AsSpan(0, 64)), 0.05f);
        float second = fused.StepInPlace(in batch, 0.05f);
        string stepped = Hash(model.Parameters);
        before.CopyTo(model.Parameters);
        Console.WriteLine($"{name}: rows {one} batch {many} loss {Bits(loss)} gradient {Hash(gradient)} {Bits(summed)} steps {Bits(first)} {Bits(second)} {stepped}");
    }

    private static string Bits(float value) => BitConverter.SingleToInt32Bits(value).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    // FNV-1a over the floats' bytes.
    private static string Hash(ReadOnlySpan<float> values)
    {
        ulong hash = 14695981039346656037;
        foreach (byte b in MemoryMarshal.AsBytes(values))
        {
            hash = (hash ^ b) * 1099511628211;
        }

        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// A quick timing for alternating two builds' processes on a busy machine (the lead's figures come from BenchmarkDotNet):
/// 2 s of warm-up, then the best of 30 rounds of about 0.1 s, in ns per operation.
/// </summary>
internal static class Timing
{
    public static void Print(string what, string kind)
    {
        Action operation = Operation(what, kind);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 2)
        {
            operation();
        }

        int count = 1;
        for (clock.Restart(); clock.Elapsed.TotalSeconds < 0.1; count++)
        {
            operation();
        }

        double best = double.MaxValue;
        for (int round = 0; round < 30; round++)
        {
            clock.Restart();
            for (int i = 0; i < count; i++)
            {
                operation();
            }

            best = Math.Min(best, clock.Elapsed.TotalNanoseconds / count);
        }

        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{what} {kind}: {best:F1} ns"));
    }

    private static Action Operation(string what, string kind)
    {
        if (what == "compiled")
        {
            (float[] row, _) = Catalog.Data(CompiledMnist.Features + 16, 2, 1);
            float[] p = new float[10];
            return () =>
            {
                for (int offset = 0; offset < 16; offset++)
                {
                    CompiledMnist.PredictProbabilities(row.AsSpan(offset, CompiledMnist.Features), p);
                }
            };
        }

        (IModel generated, IModel runTime) = Catalog.Pair(what.Replace("epoch ", "", StringComparison.Ordinal));
        IModel model = kind == "generated" ? generated : runTime;
        if (what.StartsWith("epoch ", StringComparison.Ordinal))
        {
            (float[] rows, int[] labels) = Catalog.Data(model.Features, model.Outputs, 1024);
            Dataset data = Dataset.FromLabels(rows, model.Features, labels, model.Outputs);
            int[] order = [.. Enumerable.Range(0, 1024)];
            var fused = (Native.Numerics.CompilerServices.IFusedGradientStep)model;
            return () =>
            {
                for (int start = 0; start < 1024; start += 64)
                {
                    fused.StepInPlace(Batch.FromDataset(data, order.AsSpan(start, 64)), 1e-4f);
                }
            };
        }

        var classifier = (IClassifier)model;
        (float[] x, _) = Catalog.Data(model.Features + 16, 2, 1);
        float[] probabilities = new float[classifier.Classes];
        return () =>
        {
            for (int offset = 0; offset < 16; offset++)
            {
                classifier.PredictProbabilities(x.AsSpan(offset, model.Features), probabilities);
            }
        };
    }
}
