using Xunit.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Native.Numerics.Hosting.Tests;

/// <summary>A thousand reloads leave nothing behind: each replaced model is collected once no request holds it.</summary>
[Collection(nameof(MemoryTests))]
public class MemoryTests(ITestOutputHelper output)
{
    [Fact]
    public void AThousandReloadsDoNotGrowTheHeap()
    {
        using var directory = new ModelDirectory();
        string path = directory.File("mnist.safetensors");
        // An MNIST-sized model (31 KB of weights), so that a leak of one model per reload would be 31 MB.
        var versions = Enumerable.Range(0, 4).Select(i =>
        {
            var model = new SoftmaxRegression(784, 10);
            model.Parameters.Fill(0.001f * (i + 1));
            return Models.Bytes(model);
        }).ToArray();
        File.WriteAllBytes(path, versions[0]);
        using ServiceProvider services = Host.Build(new CapturedLogs(), s => s.AddNativeModel("mnist", path));
        var provider = (NativeModelProvider)services.GetRequiredService<INativeModelProvider>();
        ModelSlot slot = provider.Slot("mnist");
        float[] row = new float[784], probabilities = new float[10];

        long Heap()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes;
        }

        void Reloads(int count, int start)
        {
            for (int i = start; i < start + count; i++)
            {
                byte[] bytes = versions[i % versions.Length];
                File.WriteAllBytes(path, i % 4 == 3 ? bytes[..1000] : bytes); // every fourth cut short, refused
                slot.Reload();
                provider.GetModel("mnist").Model.PredictProbabilities(row, probabilities);
            }
        }

        Reloads(100, 0); // warm-up: the JIT, the reader's pools, the thread's scratch
        long before = Heap();
        Reloads(1000, 100);
        long after = Heap();
        Assert.True(after - before < 256 * 1024, $"the heap grew by {after - before:N0} bytes over 1,000 reloads ({before:N0} -> {after:N0})");
        output.WriteLine($"heap after a warm-up of 100 reloads: {before:N0} bytes; after 1,000 more: {after:N0} bytes ({after - before:+#,0;-#,0;0})");
        Assert.Equal(1099, slot.Loads); // every reload but the first (the bytes serving already) loaded new bytes
    }
}

/// <summary>The heap is measured with nothing else running: the memory test's collection runs alone.</summary>
[CollectionDefinition(nameof(MemoryTests), DisableParallelization = true)]
public sealed class MemoryTestsRunAlone;
