using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*'
// Both vector-width settings: add --envVars DOTNET_PreferredVectorBitWidth:512 (see README, Benchmarks).
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
