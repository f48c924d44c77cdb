using System.Collections.Immutable;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Native.Steady;

// Usage: dotnet run -c Release -- [--before DIR] [BenchmarkDotNet's options]
//   --before DIR: a source tree of the repository (another commit's, say) whose library and generator are the baseline job;
//   without it, one job on this checkout's library.
string? before = null;
List<string> rest = [];
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--before" && i + 1 < args.Length)
    {
        before = Path.GetFullPath(args[++i]);
    }
    else
    {
        rest.Add(args[i]);
    }
}

Job job = Job.Default.WithWarmupCount(3).WithIterationCount(15);
// Each benchmark's two jobs run one after the other, so that a shared machine's changing load weighs on both alike.
IConfig config = DefaultConfig.Instance.WithOrderer(new PairedOrderer());
config = before is null
    ? config.AddJob(job.WithId("this"))
    : config
        .AddJob(job.WithArguments([new MsBuildArgument($"/p:NativeSource={before}")]).WithId("before").AsBaseline())
        .AddJob(job.WithId("after"));
BenchmarkSwitcher.FromAssembly(typeof(SteadyStateBenchmarks).Assembly).Run([.. rest], config);

/// <summary>Runs the benchmarks method by method, each method's jobs back to back (BenchmarkDotNet's default runs job by job).</summary>
internal sealed class PairedOrderer : DefaultOrderer
{
    public override IEnumerable<BenchmarkCase> GetExecutionOrder(ImmutableArray<BenchmarkCase> benchmarkCases, IEnumerable<BenchmarkLogicalGroupRule>? order = null) =>
        base.GetExecutionOrder(benchmarkCases, order)
            .OrderBy(benchmark => benchmark.Descriptor.WorkloadMethod.MetadataToken)
            .ThenBy(benchmark => benchmark.Job.Meta.Baseline ? 0 : 1);
}
