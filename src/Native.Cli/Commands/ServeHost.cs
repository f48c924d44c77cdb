using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Native.Numerics.Hosting;

namespace Native.Cli.Commands;

/// <summary>
/// The server of <c>native serve</c>: ASP.NET Core's slim builder on Kestrel, the models registered with
/// Native.Numerics.Hosting (loaded before the first request, reloaded on change, a health check), one terminal handler
/// (<see cref="ServeEndpoints"/>), and Kestrel's limits set so that a slow or malformed client cannot hold the server.
/// </summary>
internal static class ServeHost
{
    public static async Task<int> Run(CliContext context, ServeSettings settings, CancellationToken cancellation)
    {
        // The host stops gracefully at SIGINT or SIGTERM — no new connections, requests in flight finished (up to the
        // shutdown timeout) — where a batch command gets the one-second backstop of Interruption: hand the signals over.
        context.Interruption?.Finish();

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = Environments.Production });
        // The command line says everything: no appsettings.json from the current directory, no ASPNETCORE_ variables,
        // which could otherwise move the server to another address or add endpoints without a word here.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ServeLog(context.Error));
        // Rules by category, which the logging factory resolves once per logger (a filter function would run on every
        // IsEnabled, several times a request): the models' loads and refusals, the server's warnings, and not the host's
        // own report of a failed start, which the command reports once, in its words.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Native", LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.WebHost.UseUrls(settings.Urls);
        builder.WebHost.ConfigureKestrel(kestrel => Limit(kestrel, settings.Limits));
        foreach (var (name, path) in settings.Models)
        {
            builder.Services.AddNativeModel(name, path, options =>
            {
                options.ReloadOnChange = settings.Reload;
                options.ReloadDelay = settings.ReloadDelay;
            });
        }

        builder.Services.AddHealthChecks().AddNativeModels();

        await using WebApplication app = builder.Build();
        var endpoints = new ServeEndpoints(app.Services, settings);
        app.Run(endpoints.Handle);
        // Stopped by SIGINT or SIGTERM (the host's lifetime), or by the command's tokens (a test running it in-process).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, context.Cancellation);
        await app.StartAsync(stop.Token).ConfigureAwait(false);

        var provider = app.Services.GetRequiredService<INativeModelProvider>();
        string models = string.Join(", ", provider.Names.Select(n => provider.GetModel(n)).Select(m => $"{m.Name} ({m.Model.Shape}{(m.Model.IsQuantized ? ", int8" : "")}, version {m.Version})"));
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"native serve: listening on {string.Join(", ", app.Urls)}; {models}{(settings.Reload ? "; reloading on change" : "")}{(settings.ApiKey is null ? "" : "; X-API-Key required")}."));
        context.Out.Flush();

        await app.WaitForShutdownAsync(stop.Token).ConfigureAwait(false);
        context.Out.WriteLine("native serve: stopped.");
        return ExitCodes.Success;
    }

    /// <summary>
    /// Kestrel's limits, each set on purpose: bodies no larger than a request may be; headers small and soon; a client
    /// that sends slower than 1 KB/s after a 5-second grace is cut off; idle connections closed after 30 s; HTTP/1.1 only.
    /// </summary>
    private static void Limit(KestrelServerOptions kestrel, RequestLimits limits)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = limits.MaxBodyBytes;
        kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
        kestrel.Limits.MaxRequestHeaderCount = 64;
        kestrel.Limits.MaxRequestLineSize = 4 * 1024;
        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
        kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
        kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 1024, gracePeriod: TimeSpan.FromSeconds(5));
        kestrel.Limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 1024, gracePeriod: TimeSpan.FromSeconds(5));
        kestrel.Limits.MaxConcurrentConnections = 10_000;
        kestrel.Limits.MaxConcurrentUpgradedConnections = 0;
        kestrel.ConfigureEndpointDefaults(endpoint => endpoint.Protocols = HttpProtocols.Http1);
    }

    /// <summary>Log lines on standard error, one line each, prefixed <c>native serve:</c>; never a stack trace.</summary>
    private sealed class ServeLog(TextWriter error) : ILoggerProvider, ILogger
    {
        private readonly Lock _gate = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string message = formatter(state, exception).ReplaceLineEndings(" ");
            string level = logLevel >= LogLevel.Error ? "error: " : logLevel == LogLevel.Warning ? "warning: " : "";
            lock (_gate)
            {
                error.WriteLine($"native serve: {level}{message}{(exception is null ? "" : $" ({exception.GetType().Name}: {CommandLine.FirstLine(exception)})")}");
                error.Flush();
            }
        }

        public void Dispose()
        {
        }
    }
}
