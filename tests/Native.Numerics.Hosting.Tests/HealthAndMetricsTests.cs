using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Native.Numerics.Hosting.Tests;

/// <summary>The health check and the meter, as a host's health endpoint and an OpenTelemetry exporter see them.</summary>
public class HealthAndMetricsTests
{
    [Fact]
    public async Task HealthIsHealthyUntilAFileIsRefusedThenNamesItAndRecoversWithAGoodOne()
    {
        using var directory = new ModelDirectory();
        string path = directory.File("iris.onnx");
        File.WriteAllBytes(path, Models.Bytes(Models.Iris(0), ModelFormat.Onnx));
        using ServiceProvider services = Host.Build(new CapturedLogs(), s =>
        {
            s.AddNativeModel("iris", path).AddNativeModel("fixed", new TrainedModel(Models.Iris(1)));
            s.AddHealthChecks().AddNativeModels();
        });
        var health = services.GetRequiredService<HealthCheckService>();
        var provider = (NativeModelProvider)services.GetRequiredService<INativeModelProvider>();

        HealthReport report = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal("All 2 models serve their latest versions.", report.Entries["native-models"].Description);
        Assert.Equal(provider.GetModel("iris").Version, report.Entries["native-models"].Data["iris"]);

        File.WriteAllBytes(path, [1, 2, 3]);
        provider.Slot("iris").Reload();
        report = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        string description = report.Entries["native-models"].Description!;
        Assert.StartsWith($"iris: '{path}' (version {ModelSlot.VersionOf([1, 2, 3])}) was refused at ", description, StringComparison.Ordinal);
        Assert.Contains($"version {provider.GetModel("iris").Version} goes on serving.", description, StringComparison.Ordinal);

        File.WriteAllBytes(path, Models.Bytes(Models.Iris(2), ModelFormat.Onnx));
        provider.Slot("iris").Reload();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);
    }

    [Fact]
    public async Task TheFailureStatusIsTheRegistrations()
    {
        using var directory = new ModelDirectory();
        string path = directory.File("iris.safetensors");
        File.WriteAllBytes(path, Models.Bytes(Models.Iris(0)));
        using ServiceProvider services = Host.Build(new CapturedLogs(), s =>
        {
            s.AddNativeModel("iris", path);
            s.AddHealthChecks().AddNativeModels(failureStatus: HealthStatus.Degraded);
        });
        var provider = (NativeModelProvider)services.GetRequiredService<INativeModelProvider>();
        File.WriteAllBytes(path, []);
        provider.Slot("iris").Reload();
        Assert.Equal(HealthStatus.Degraded, (await services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
    }

    [Fact]
    public void TheMeterCountsPredictionsRefusalsAndReloadsByModel()
    {
        using var directory = new ModelDirectory();
        string path = directory.File("iris.safetensors");
        File.WriteAllBytes(path, Models.Bytes(Models.Iris(0)));
        using ServiceProvider services = Host.Build(new CapturedLogs(), s => s.AddNativeModel("iris", path));
        var provider = (NativeModelProvider)services.GetRequiredService<INativeModelProvider>();
        var metrics = services.GetRequiredService<NativeModelMetrics>();

        var seen = new List<(string Instrument, double Value, string Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // This host's meter only: tests run in parallel, and each host has a meter of the same name.
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                Assert.Equal(NativeModelMetrics.MeterName, instrument.Meter.Name);
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, value, tags, _) => seen.Add((i.Name, value, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((i, value, tags, _) => seen.Add((i.Name, value, Tags(tags))));
        listener.Start();

        NativeModel model = provider.GetModel("iris");
        metrics.RecordPredictions(model, rows: 3, TimeSpan.FromMicroseconds(4));
        metrics.RecordRefusal(model, rows: 1, "bad_row");
        File.WriteAllBytes(path, Models.Bytes(Models.Iris(1)));
        provider.Slot("iris").Reload();
        File.WriteAllBytes(path, [9]);
        provider.Slot("iris").Reload();

        Assert.Equal(
            [
                ("native.model.predictions", 3, "native.model=iris"),
                ("native.model.prediction.duration", 4e-6, "native.model=iris"),
                ("native.model.refusals", 1, "native.model=iris,reason=bad_row"),
                ("native.model.reloads", 1, "native.model=iris,outcome=loaded"),
                ("native.model.reloads", 1, "native.model=iris,outcome=refused"),
            ],
            seen);
    }

    [Fact]
    public void RecordingWithoutAListenerAllocatesNothing()
    {
        using var metrics = new NativeModelMetrics();
        using var directory = new ModelDirectory();
        File.WriteAllBytes(directory.File("m.safetensors"), Models.Bytes(Models.Iris(0)));
        using ServiceProvider services = Host.Build(new CapturedLogs(), s => s.AddNativeModel("iris", directory.File("m.safetensors")));
        NativeModel model = services.GetRequiredService<INativeModelProvider>().GetModel("iris");
        metrics.RecordPredictions(model, 1, TimeSpan.FromMicroseconds(1));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            metrics.RecordPredictions(model, 1, TimeSpan.FromMicroseconds(1));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static string Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var parts = new List<string>();
        foreach (var tag in tags)
        {
            parts.Add($"{tag.Key}={tag.Value}");
        }

        return string.Join(",", parts);
    }
}
