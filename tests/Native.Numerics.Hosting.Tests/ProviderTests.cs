using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Native.Numerics.Hosting.Tests;

/// <summary>Registration and the provider: files and compiled-in models, versions, names, and mistakes.</summary>
public class ProviderTests
{
    [Theory]
    [InlineData(ModelFormat.Safetensors, "iris.safetensors")]
    [InlineData(ModelFormat.Onnx, "iris.onnx")]
    public void AModelFileIsLoadedWithTheHashOfItsBytesAsItsVersion(ModelFormat format, string file)
    {
        using var directory = new ModelDirectory();
        byte[] bytes = Models.Bytes(Models.Iris(favoured: 2), format);
        File.WriteAllBytes(directory.File(file), bytes);
        var logs = new CapturedLogs();
        var before = DateTimeOffset.UtcNow;
        using ServiceProvider services = Host.Build(logs, s => s.AddNativeModel("iris", directory.File(file)));

        NativeModel model = services.GetRequiredService<INativeModelProvider>().GetModel("iris");
        Assert.Equal("iris", model.Name);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes))[..16], model.Version);
        Assert.Equal(directory.File(file), model.Source);
        Assert.InRange(model.LoadedAt, before, DateTimeOffset.UtcNow);
        Assert.Equal("virginica", model.Model.PredictClassName([5.9f, 3f, 5.1f, 1.8f]));
        Assert.Contains(logs.Lines, l => l.Message.Contains($"Model iris version {model.Version} loaded from {directory.File(file)}", StringComparison.Ordinal));
    }

    [Fact]
    public void ACompiledInModelIsRegisteredTheSameWayAndItsVersionIsItsWeightsHash()
    {
        var trained = new TrainedModel(Models.Iris(favoured: 1), new ModelMetadata { ClassNames = Models.Species });
        var same = new TrainedModel(Models.Iris(favoured: 1), new ModelMetadata { ClassNames = Models.Species });
        var other = new TrainedModel(Models.Iris(favoured: 0), new ModelMetadata { ClassNames = Models.Species });
        using ServiceProvider services = Host.Build(new CapturedLogs(), s => s.AddNativeModel("a", trained).AddNativeModel("b", same).AddNativeModel("c", other));
        var provider = services.GetRequiredService<INativeModelProvider>();

        Assert.Same(trained, provider.GetModel("a").Model);
        Assert.Equal("compiled", provider.GetModel("a").Source);
        Assert.Matches("^[0-9a-f]{16}$", provider.GetModel("a").Version);
        Assert.Equal(provider.GetModel("a").Version, provider.GetModel("b").Version);
        Assert.NotEqual(provider.GetModel("a").Version, provider.GetModel("c").Version);
        Assert.Equal(["a", "b", "c"], provider.Names);
    }

    [Fact]
    public void TwoCompiledInModelsThatDifferOnlyInTheirPipelineHaveDifferentVersions()
    {
        // One table, and the same table with one income changed (another fill) or with a category renamed: the same
        // weights, the same features, different pipelines.
        const string table = "income,grade,y\n52000,A,0\n,B,1\n61000,A,0\n47000,B,1\n";
        TrainedModel Model(string csv)
        {
            TableData data = Table.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv)), new TableOptions { LabelColumns = ["y"], Standardize = false }, "t.csv");
            var model = new LogisticRegression(data.Pipeline.Features);
            model.Parameters.Fill(0.25f);
            return new TrainedModel(model, data.Metadata);
        }

        TrainedModel first = Model(table), same = Model(table);
        TrainedModel fill = Model(table.Replace("47000", "48000", StringComparison.Ordinal));
        TrainedModel category = Model(table.Replace(",B,", ",C,", StringComparison.Ordinal));
        Assert.Equal(first.Pipeline!.Features, category.Pipeline!.Features);
        using ServiceProvider services = Host.Build(new CapturedLogs(), s => s.AddNativeModel("a", first).AddNativeModel("b", same).AddNativeModel("c", fill).AddNativeModel("d", category));
        var provider = services.GetRequiredService<INativeModelProvider>();

        Assert.Equal(provider.GetModel("a").Version, provider.GetModel("b").Version);
        Assert.NotEqual(provider.GetModel("a").Version, provider.GetModel("c").Version);
        Assert.NotEqual(provider.GetModel("a").Version, provider.GetModel("d").Version);
        Assert.NotEqual(provider.GetModel("c").Version, provider.GetModel("d").Version);
    }

    [Fact]
    public void AnUnknownNameIsAnErrorListingTheModels()
    {
        using var directory = new ModelDirectory();
        File.WriteAllBytes(directory.File("m.safetensors"), Models.Bytes(Models.Iris(0)));
        using ServiceProvider services = Host.Build(new CapturedLogs(), s => s.AddNativeModel("iris", directory.File("m.safetensors")).AddNativeModel("loans", new TrainedModel(Models.Iris(1))));
        var provider = services.GetRequiredService<INativeModelProvider>();

        var error = Assert.Throws<KeyNotFoundException>(() => provider.GetModel("digits"));
        Assert.Equal("No model named 'digits' is registered; the models are iris, loans.", error.Message);
        Assert.False(provider.TryGetModel("digits", out NativeModel? none));
        Assert.Null(none);
        Assert.True(provider.TryGetModel("loans", out NativeModel? loans));
        Assert.Equal("loans", loans.Name);
    }

    [Fact]
    public void ANameRegisteredTwiceIsRefusedAtRegistration()
    {
        var services = new ServiceCollection().AddNativeModel("iris", "a.safetensors");
        var error = Assert.Throws<ArgumentException>(() => services.AddNativeModel("iris", "b.safetensors"));
        Assert.StartsWith("A model named 'iris' is registered already", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => services.AddNativeModel("", "b.safetensors"));
        Assert.Throws<ArgumentException>(() => services.AddNativeModel("other", ""));
    }

    [Fact]
    public void AFileThatCannotBeLoadedStopsTheHostFromStartingWithTheReadersMessage()
    {
        using var directory = new ModelDirectory();
        byte[] bytes = Models.Bytes(Models.Iris(0));
        File.WriteAllBytes(directory.File("cut.safetensors"), bytes[..(bytes.Length / 2)]);
        using ServiceProvider services = Host.Build(new CapturedLogs(), s => s.AddNativeModel("iris", directory.File("cut.safetensors")));

        // A host resolves its hosted services as it starts: the startup service needs the provider, which loads the models.
        var error = Assert.Throws<FileFormatException>(() => services.GetServices<IHostedService>().ToList());
        Assert.StartsWith($"'{directory.File("cut.safetensors")}', byte ", error.Message, StringComparison.Ordinal);

        using ServiceProvider missing = Host.Build(new CapturedLogs(), s => s.AddNativeModel("iris", directory.File("absent.onnx")));
        Assert.Throws<FileNotFoundException>(() => missing.GetRequiredService<INativeModelProvider>());
    }

    [Fact]
    public async Task TheStartupServiceLoadsEveryModelBeforeTheFirstRequest()
    {
        using var directory = new ModelDirectory();
        File.WriteAllBytes(directory.File("m.safetensors"), Models.Bytes(Models.Iris(0)));
        var logs = new CapturedLogs();
        using ServiceProvider services = Host.Build(logs, s => s.AddNativeModel("iris", directory.File("m.safetensors")));
        Assert.Empty(logs.Lines);
        await Assert.Single(services.GetServices<IHostedService>()).StartAsync(CancellationToken.None);
        Assert.Contains(logs.Lines, l => l.Message.StartsWith("Model iris version ", StringComparison.Ordinal));
    }

    [Fact]
    public void OptionsComeFromTheNamedOptionsSoConfigurationCanSetThem()
    {
        using var directory = new ModelDirectory();
        File.WriteAllBytes(directory.File("model.bin"), Models.Bytes(Models.Iris(2), ModelFormat.Onnx));
        using ServiceProvider services = Host.Build(new CapturedLogs(), s => s.AddNativeModel("iris", directory.File("model.bin"), o => o.Format = ModelFormat.Onnx));
        Assert.Equal(2, services.GetRequiredService<INativeModelProvider>().GetModel("iris").Model.PredictClass([1, 1, 1, 1]));
    }
}
