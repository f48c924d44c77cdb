using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Native.Numerics;
using Native.Numerics.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Native.Numerics models with a host: <c>services.AddNativeModel("digits", "models/digits.onnx", o => o.ReloadOnChange = true)</c>.</summary>
public static class NativeModelServiceCollectionExtensions
{
    /// <summary>
    /// Registers the model file at <paramref name="path"/> under <paramref name="name"/>: loaded as the host starts,
    /// handed out by <see cref="INativeModelProvider"/>, and, with <see cref="NativeModelOptions.ReloadOnChange"/>, loaded
    /// again when the file changes.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The model's name, unique among the registered models (<c>"digits"</c>).</param>
    /// <param name="path">The model file: safetensors, or ONNX when it ends in <c>.onnx</c>; relative to the current directory.</param>
    /// <param name="configure">Sets the model's other options, or null.</param>
    /// <exception cref="ArgumentException">The name is empty or taken, or the path is empty.</exception>
    public static IServiceCollection AddNativeModel(this IServiceCollection services, string name, string path, Action<NativeModelOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Register(services, name, options =>
        {
            options.Path = path;
            configure?.Invoke(options);
        });
    }

    /// <summary>
    /// Registers a model the program holds under <paramref name="name"/> — one compiled in (<c>[GeneratedModel]</c>'s
    /// <c>Model</c>: <c>services.AddNativeModel("iris", Iris.Model)</c>), or one it trained or loaded itself. Its version
    /// is the hash of its parameters, standardizer, class names and feature pipeline; it is never reloaded.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty or taken.</exception>
    public static IServiceCollection AddNativeModel(this IServiceCollection services, string name, TrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Register(services, name, options => options.Compiled = () => model);
    }

    /// <summary>
    /// Adds a health check (named <paramref name="name"/>) that reports <paramref name="failureStatus"/> — unhealthy by
    /// default — while a model's file was refused (the previous version serving on), naming the file, when and why.
    /// </summary>
    public static IHealthChecksBuilder AddNativeModels(this IHealthChecksBuilder builder, string name = "native-models", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, services => new NativeModelHealthCheck(services.GetRequiredService<INativeModelProvider>()), failureStatus, tags));
    }

    private static IServiceCollection Register(IServiceCollection services, string name, Action<NativeModelOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (ServiceDescriptor descriptor in services)
        {
            if (descriptor.ServiceType == typeof(NativeModelRegistration) && descriptor.ImplementationInstance is NativeModelRegistration { } taken && taken.Name == name)
            {
                throw new ArgumentException($"A model named '{name}' is registered already; each model needs a name of its own.", nameof(name));
            }
        }

        services.AddOptions();
        services.Configure(name, configure);
        services.AddSingleton(new NativeModelRegistration(name));
        services.TryAddSingleton(provider => new NativeModelMetrics(provider.GetService<IMeterFactory>()));
        services.TryAddSingleton(provider => new NativeModelProvider(
            provider.GetServices<NativeModelRegistration>(),
            provider.GetRequiredService<IOptionsMonitor<NativeModelOptions>>(),
            provider.GetRequiredService<NativeModelMetrics>(),
            provider.GetService<ILoggerFactory>(),
            provider.GetService<TimeProvider>()));
        services.TryAddSingleton<INativeModelProvider>(provider => provider.GetRequiredService<NativeModelProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, NativeModelStartup>(provider => new NativeModelStartup(provider.GetRequiredService<INativeModelProvider>())));
        return services;
    }
}
