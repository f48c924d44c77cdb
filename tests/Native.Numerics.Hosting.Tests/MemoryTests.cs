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
        var logs = new CapturedLogs(keep: false); // a line a reload, counted, not held: the heap measured is the models'
        using ServiceProvider services = Host.Build(logs, s => s.AddNativeModel("mnist", path));
        var provider = (NativeModelProvider)services.GetRequiredService<INativeModelProvider>();
        ModelSlot slot = provider.Slot("mnist");
        float[] row = new float[784], probabilities = new float[10];

        // Live bytes after a compacting collection: the heap's size less its free space, which depends on where the collector
        // left gaps (CI saw the heap's size alone grow by 1.3 MB with nothing leaked, and shrink by 0.5 MB here).
        long Heap()
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GCMemoryInfo info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
            return info.HeapSizeBytes - info.FragmentedBytes;
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
        Assert.True(logs.Count >= 1100, $"{logs.Count} log lines for 1,100 reloads"); // each reload said what it did
    }
}

/// <summary>The heap is measured with nothing else running: the memory test's collection runs alone.</summary>
[CollectionDefinition(nameof(MemoryTests), DisableParallelization = true)]
public sealed class MemoryTestsRunAlone;
