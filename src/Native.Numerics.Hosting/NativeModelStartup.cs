using Microsoft.Extensions.Hosting;

namespace Native.Numerics.Hosting;

/// <summary>Creates the provider as the host starts, so every model is loaded before the first request and a file that cannot be loaded stops the start.</summary>
internal sealed class NativeModelStartup(INativeModelProvider provider) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = provider.Names;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
