using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*'
// The epoch and predict benchmarks run under both vector-width settings by themselves (VectorWidthConfig); for the
// kernel benchmarks add --envVars DOTNET_PreferredVectorBitWidth:256. Against the peers: benchmarks/peers/compare.py.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
