using Native.Numerics;

namespace PackageConsumer;

/// <summary>The model compiled in from models/iris.safetensors (<see cref="Iris"/>), on raw flower measurements.</summary>
internal static class CompiledModel
{
    /// <summary>
    /// Prints the compiled model's predictions on raw rows, and with <paramref name="file"/> (the same model loaded at
    /// run time) checks them bit for bit and that predicting allocates nothing; returns the number of failed checks.
    /// </summary>
    public static int Print(TrainedModel? file)
    {
        Dataset flowers = Flowers.Make(rows: 30, seed: 11);
        Console.WriteLine($"iris: {Iris.Features} features, {Iris.Classes} classes ({string.Join(", ", Iris.ClassNames)}), {Iris.ParameterCount} parameters");
        int failures = 0, right = 0;
        float[] probabilities = new float[Iris.Classes], expected = new float[Iris.Classes];
        for (int row = 0; row < flowers.Count; row++)
        {
            ReadOnlySpan<float> raw = flowers.Row(row);
            Iris.PredictProbabilities(raw, probabilities);
            string name = Iris.PredictClassName(raw);
            right += name == Flowers.Names[flowers.Labels[row]] ? 1 : 0;
            Console.WriteLine($"iris: row {row}: {name}, probabilities {string.Join(' ', probabilities.Select(p => p.ToString("R")))}");
            if (file is null)
            {
                continue;
            }

            file.PredictProbabilities(raw, expected);
            if (!probabilities.AsSpan().SequenceEqual(expected) || file.PredictClassName(raw) != name || file.PredictClass(raw) != Iris.PredictClass(raw))
            {
                Console.Error.WriteLine($"FAILED: iris row {row}: the compiled model gives {string.Join(' ', probabilities)}, the loaded file {string.Join(' ', expected)}");
                failures++;
            }
        }

        Console.WriteLine($"iris: {right} of {flowers.Count} flowers named right");
        if (file is not null)
        {
            if (right < 27)
            {
                Console.Error.WriteLine($"FAILED: the compiled model named {right} of {flowers.Count} flowers right, fewer than 27");
                failures++;
            }

            failures += Allocated(flowers.Row(0), probabilities) == 0 ? 0 : 1;
        }

        return failures;
    }

    /// <summary>The bytes 1,000 predictions allocate, after a warm-up.</summary>
    private static long Allocated(ReadOnlySpan<float> row, Span<float> probabilities)
    {
        for (int i = 0; i < 100; i++)
        {
            Iris.PredictProbabilities(row, probabilities);
            _ = Iris.PredictClassName(row);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Iris.PredictProbabilities(row, probabilities);
            _ = Iris.PredictClassName(row);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated != 0)
        {
            Console.Error.WriteLine($"FAILED: 1,000 predictions of the compiled model allocated {allocated} bytes");
        }

        return allocated;
    }
}
