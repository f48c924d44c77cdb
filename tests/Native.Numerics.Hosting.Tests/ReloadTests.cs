using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Native.Numerics.Hosting.Tests;

/// <summary>Reload on change: replaced by a rename, written in place, truncated, deleted; debounced; under load.</summary>
public class ReloadTests
{
    private static readonly float[] Flower = [5.9f, 3f, 5.1f, 1.8f];

    private static ServiceProvider Serve(ModelDirectory directory, CapturedLogs logs, byte[] first, int delayMilliseconds = 50)
    {
        File.WriteAllBytes(directory.File("iris.safetensors"), first);
        return Host.Build(logs, s => s.AddNativeModel("iris", directory.File("iris.safetensors"), o =>
        {
            o.ReloadOnChange = true;
            o.ReloadDelay = TimeSpan.FromMilliseconds(delayMilliseconds);
        }));
    }

    [Fact]
    public void AFileReplacedByARenameIsSwappedIn()
    {
        using var directory = new ModelDirectory();
        using ServiceProvider services = Serve(directory, new CapturedLogs(), Models.Bytes(Models.Iris(0)));
        var provider = services.GetRequiredService<INativeModelProvider>();
        NativeModel first = provider.GetModel("iris");
        Assert.Equal(0, first.Model.PredictClass(Flower));

        Models.Replace(directory.File("iris.safetensors"), Models.Bytes(Models.Iris(2)));
        Assert.True(Models.Eventually(() => provider.GetModel("iris").Version != first.Version));
        NativeModel second = provider.GetModel("iris");
        Assert.Equal(2, second.Model.PredictClass(Flower));
        Assert.True(second.LoadedAt >= first.LoadedAt);
        Assert.Equal(0, first.Model.PredictClass(Flower)); // a request holding the old version finishes on it
        Assert.Null(provider.GetStatus("iris").Refusal);
    }

    [Fact]
    public void ModelFileSaveOverTheServedFileIsSwappedIn()
    {
        using var directory = new ModelDirectory();
        using ServiceProvider services = Serve(directory, new CapturedLogs(), Models.Bytes(Models.Iris(0)));
        var provider = services.GetRequiredService<INativeModelProvider>();
        ModelFile.Save(Models.Iris(1), directory.File("iris.safetensors"));
        Assert.True(Models.Eventually(() => provider.GetModel("iris").Model.PredictClass(Flower) == 1));
    }

    [Fact]
    public void AFileWrittenInPlaceInPiecesIsReadOnceItIsQuiet()
    {
        using var directory = new ModelDirectory();
        using ServiceProvider services = Serve(directory, new CapturedLogs(), Models.Bytes(Models.Iris(0)), delayMilliseconds: 300);
        var provider = (NativeModelProvider)services.GetRequiredService<INativeModelProvider>();

        // Eight writes 20 ms apart: each is a change, the file is never quiet for 300 ms until the last.
        byte[] bytes = Models.Bytes(Models.Iris(1));
        using (var stream = new FileStream(directory.File("iris.safetensors"), FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            int piece = (bytes.Length + 7) / 8;
            for (int offset = 0; offset < bytes.Length; offset += piece)
            {
                stream.Write(bytes, offset, Math.Min(piece, bytes.Length - offset));
                stream.Flush();
                Thread.Sleep(20);
            }
        }

        Assert.True(Models.Eventually(() => provider.GetModel("iris").Model.PredictClass(Flower) == 1));
        Thread.Sleep(500);
        Assert.Equal(1, provider.Slot("iris").Loads);
        Assert.Null(provider.GetStatus("iris").Refusal);
    }

    [Fact]
    public void ATruncatedFileIsRefusedLoggedAndTheModelServesOnUntilAGoodOneComes()
    {
        using var directory = new ModelDirectory();
        var logs = new CapturedLogs();
        byte[] good = Models.Bytes(Models.Iris(0));
        using ServiceProvider services = Serve(directory, logs, good);
        var provider = services.GetRequiredService<INativeModelProvider>();
        string serving = provider.GetModel("iris").Version;

        byte[] next = Models.Bytes(Models.Iris(2));
        Models.Replace(directory.File("iris.safetensors"), next[..(next.Length - 7)]);
        Assert.True(Models.Eventually(() => provider.GetStatus("iris").Refusal is not null));
        NativeModelStatus status = provider.GetStatus("iris");
        Assert.Equal(serving, status.Current.Version);
        Assert.Equal(0, status.Current.Model.PredictClass(Flower));
        Assert.NotNull(status.Refusal!.Version);
        Assert.Contains("iris.safetensors", status.Refusal.Reason, StringComparison.Ordinal);
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Error && l.Message.Contains($"version {serving} goes on serving", StringComparison.Ordinal));

        Models.Replace(directory.File("iris.safetensors"), next);
        Assert.True(Models.Eventually(() => provider.GetModel("iris").Model.PredictClass(Flower) == 2));
        Assert.Null(provider.GetStatus("iris").Refusal);
    }

    [Fact]
    public void ADeletedFileKeepsTheModelServingAndItsReturnIsLoaded()
    {
        using var directory = new ModelDirectory();
        using ServiceProvider services = Serve(directory, new CapturedLogs(), Models.Bytes(Models.Iris(0)));
        var provider = services.GetRequiredService<INativeModelProvider>();
        File.Delete(directory.File("iris.safetensors"));
        Assert.True(Models.Eventually(() => provider.GetStatus("iris").Refusal is { Version: null }));
        Assert.Equal(0, provider.GetModel("iris").Model.PredictClass(Flower));

        Models.Replace(directory.File("iris.safetensors"), Models.Bytes(Models.Iris(1)));
        Assert.True(Models.Eventually(() => provider.GetModel("iris").Model.PredictClass(Flower) == 1));
        Assert.Null(provider.GetStatus("iris").Refusal);
    }

    [Fact]
    public void TheSameBytesAgainAndABadVersionAgainAreNotLoadedAgain()
    {
        using var directory = new ModelDirectory();
        var logs = new CapturedLogs();
        byte[] good = Models.Bytes(Models.Iris(0));
        using ServiceProvider services = Serve(directory, logs, good, delayMilliseconds: 20);
        var provider = (NativeModelProvider)services.GetRequiredService<INativeModelProvider>();
        string version = provider.GetModel("iris").Version;

        // Twenty rewrites of the same bytes, each after the delay: each is read and hashed, none loaded.
        for (int i = 0; i < 20; i++)
        {
            Models.Replace(directory.File("iris.safetensors"), good);
            Thread.Sleep(40);
        }

        Thread.Sleep(200);
        Assert.Equal(0, provider.Slot("iris").Loads);
        Assert.Equal(version, provider.GetModel("iris").Version);

        // The same bad bytes ten times: refused and logged once.
        byte[] bad = good[..20];
        for (int i = 0; i < 10; i++)
        {
            Models.Replace(directory.File("iris.safetensors"), bad);
            Thread.Sleep(40);
        }

        Thread.Sleep(200);
        Assert.Equal(1, provider.Slot("iris").Loads);
        Assert.Single(logs.Lines, l => l.Level == LogLevel.Error);
    }

    [Fact]
    public void ABurstOfReplacementsCostsOneLoad()
    {
        using var directory = new ModelDirectory();
        using ServiceProvider services = Serve(directory, new CapturedLogs(), Models.Bytes(Models.Iris(0)), delayMilliseconds: 400);
        var provider = (NativeModelProvider)services.GetRequiredService<INativeModelProvider>();
        for (int i = 0; i < 30; i++)
        {
            Models.Replace(directory.File("iris.safetensors"), Models.Bytes(Models.Iris(i % 3, weight: 0.001f * i)));
        }

        Assert.True(Models.Eventually(() => provider.Slot("iris").Loads > 0));
        Thread.Sleep(800);
        Assert.Equal(1, provider.Slot("iris").Loads);
        Assert.Equal(29 % 3, provider.GetModel("iris").Model.PredictClass(Flower));
    }

    [Fact]
    public async Task ReadersPredictingThroughReloadsOnlyEverSeeAValidVersion()
    {
        using var directory = new ModelDirectory();
        byte[][] versions = [Models.Bytes(Models.Iris(0)), Models.Bytes(Models.Iris(1)), Models.Bytes(Models.Iris(2))];
        using ServiceProvider services = Serve(directory, new CapturedLogs(), versions[0], delayMilliseconds: 10);
        var provider = (NativeModelProvider)services.GetRequiredService<INativeModelProvider>();
        var valid = versions.Select(b => ModelSlotVersion(b)).ToHashSet();

        using var stop = new CancellationTokenSource();
        var problems = new System.Collections.Concurrent.ConcurrentQueue<string>();
        long answered = 0;
        Task[] readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            float[] probabilities = new float[3];
            while (!stop.IsCancellationRequested)
            {
                NativeModel model = provider.GetModel("iris");
                model.Model.PredictProbabilities(Flower, probabilities);
                int predicted = model.Model.PredictClass(Flower);
                if (!valid.Contains(model.Version) || Math.Abs(probabilities.Sum() - 1) > 1e-5f || predicted != Array.IndexOf(versions.Select(ModelSlotVersion).ToArray(), model.Version))
                {
                    problems.Enqueue($"version {model.Version} predicted {predicted}");
                }

                Interlocked.Increment(ref answered);
            }
        })).ToArray();

        for (int i = 1; i <= 40; i++)
        {
            byte[] bytes = versions[i % 3];
            // A quarter of the replacements are cut short: refused, the previous version serving on.
            Models.Replace(directory.File("iris.safetensors"), i % 4 == 0 ? bytes[..(bytes.Length / 3)] : bytes);
            provider.Slot("iris").Reload();
            await Task.Delay(5);
        }

        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.Empty(problems);
        Assert.True(answered > 1000, $"only {answered} predictions");
    }

    private static string ModelSlotVersion(byte[] bytes) => ModelSlot.VersionOf(bytes);
}
