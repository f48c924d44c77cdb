using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Native.Numerics.Hosting;

/// <summary>
/// Healthy while every model serves its file's latest version; otherwise the registration's failure status
/// (unhealthy unless registered otherwise), naming each refused file, when and why — the previous version still serving.
/// </summary>
internal sealed class NativeModelHealthCheck(INativeModelProvider provider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (string name in provider.Names)
        {
            NativeModelStatus status = provider.GetStatus(name);
            data[name] = status.Current.Version;
            if (status.Refusal is { } refusal)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: '{status.Current.Source}' (version {refusal.Version ?? "unreadable"}) was refused at {refusal.At:O}; version {status.Current.Version} goes on serving. {refusal.Reason}"));
            }
        }

        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy(provider.Names.Count == 1 ? "The model serves its latest version." : $"All {provider.Names.Count} models serve their latest versions.", data)
            : new HealthCheckResult(context.Registration.FailureStatus, string.Join(" ", problems), data: data));
    }
}
