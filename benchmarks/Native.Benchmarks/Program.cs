using BenchmarkDotNet.Running;
using Native.Benchmarks;

// Run all: dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*'
// The epoch and predict benchmarks run under both vector-width settings by themselves (VectorWidthConfig); for the
// kernel benchmarks add --envVars DOTNET_PreferredVectorBitWidth:256. Against the peers: benchmarks/peers/compare.py.
// `-- curves [MNIST-10k|digits]` prints how the training benchmarks' settings were chosen (TrainingCurves);
// `-- quantization` what int8 costs in accuracy, per model kind (QuantizationAccuracy).
if (args is ["quantization", ..])
{
    QuantizationAccuracy.Print(args.Length > 1 ? args[1] : null);
    return;
}

if (args is ["curves", ..])
{
    TrainingCurves.Print(args.Length > 1 ? args[1] : AccuracyData.Digits);
    return;
}

// `-- rowstride` alternates epochs over rows padded to 16 floats and rows packed, in one process (RowStrideBenchmarks).
if (args is ["rowstride", ..])
{
    RowStrideBenchmarks.Alternate(Console.Out);
    return;
}

// `-- loans-peers` trains ML.NET's table pipeline and Native's on tests/data/loans: held-out accuracy, training time (LoansPeerBenchmarks).
if (args is ["loans-peers", ..])
{
    LoansPeerBenchmarks.Print(Console.Out);
    return;
}

// `-- tableread-ab <categories|numbers|pixels> <reads> <current|current-thousands|folder>...` alternates Table.Read of builds of the library in one process (TableReadComparison).
if (args is ["tableread-ab", string columns, string reads, .. string[] builds])
{
    TableReadComparison.Run(Console.Out, columns, int.Parse(reads, System.Globalization.CultureInfo.InvariantCulture), builds);
    return;
}

// `-- typedrow` alternates the compiled model alone, its typed row and the loaded model's TableRow, in one process (TypedRowBenchmarks).
if (args is ["typedrow", ..])
{
    TypedRowBenchmarks.Alternate(Console.Out);
    return;
}

// `-- byterows` alternates softmax epochs over float rows and byte rows (copied, read directly), in one process (ByteRowBenchmarks).
// `-- byterows-repeat <rows> <kernel> <standardized> <seconds>` runs one of them alone, a process to profile.
if (args is ["byterows-repeat", string rows, string kernel, string standardized, string seconds])
{
    ByteRowBenchmarks.Repeat(Console.Out, rows, kernel, bool.Parse(standardized), double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

// `-- byterows-kernels` times the 784 × 10 layer's kernels alone on one batch of byte rows, against the ceiling.
if (args is ["byterows-kernels"])
{
    ByteRowBenchmarks.Kernels(Console.Out);
    return;
}

// `-- int8-batch [rounds]` times the int8 784-128-10 batch beside ONNX Runtime's float32 one, and its stages alone (QuantizedBatchStages).
if (args is ["int8-batch", ..])
{
    QuantizedBatchStages.Print(Console.Out, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 201, args.Length > 2 ? args[2] : null);
    return;
}

if (args is ["byterows", ..])
{
    ByteRowBenchmarks.Alternate(Console.Out);
    return;
}

// `-- int8row` alternates one 784 × 10 int8 row's calls and steps in one process (QuantizedRowBenchmarks).
if (args is ["int8row", ..])
{
    QuantizedRowBenchmarks.Alternate(Console.Out);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
