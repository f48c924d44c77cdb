using System.Diagnostics;
using System.Globalization;
using Native.Numerics;

// The library's epoch, timed as EpochBenchmarks times it: one TrainingSession.RunEpoch, for the generated models the
// command takes (or, with -runtime, the run-time-shaped ones it would take otherwise), the same settings (batches of
// 64, one thread, no validation). Prints one line per epoch:
//   {"epoch": n, "elapsed_ms": t}
// Usage: LibraryEpochs softmax|perceptron|softmax-runtime|perceptron-runtime IDX-DIRECTORY EPOCHS
if (args.Length != 3 || args[0] is not ("softmax" or "perceptron" or "softmax-runtime" or "perceptron-runtime"))
{
    Console.Error.WriteLine("usage: LibraryEpochs softmax|perceptron|softmax-runtime|perceptron-runtime IDX-DIRECTORY EPOCHS");
    return 1;
}

Dataset data = Idx.LoadDirectory(args[1]);
bool softmax = args[0].StartsWith("softmax", StringComparison.Ordinal);
IModel model = args[0] switch
{
    "softmax" => new DigitModel(),
    "perceptron" => Seeded(new DigitNet()),
    "softmax-runtime" => new SoftmaxRegression(784, 10),
    _ => new MultilayerPerceptron([784, 128, 10], Activation.Relu, seed: 1),
};
Optimizer optimizer = softmax ? new GradientDescent(0.1f) : new Momentum(0.05f, 0.9f);
using TrainingSession session = new Trainer(model, optimizer, new TrainerOptions { BatchSize = 64, Epochs = int.MaxValue, Seed = 1 }).Begin(data);
int epochs = int.Parse(args[2], CultureInfo.InvariantCulture);
for (int epoch = 1; epoch <= epochs; epoch++)
{
    long started = Stopwatch.GetTimestamp();
    session.RunEpoch();
    double elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"epoch\":{epoch},\"elapsed_ms\":{elapsed}}}"));
}

return 0;

static DigitNet Seeded(DigitNet model)
{
    model.Initialize(seed: 1);
    return model;
}

/// <summary>MNIST's softmax regression, generated (as the command's <c>Softmax784x10</c>).</summary>
[GeneratedSoftmaxRegression(784, 10)]
internal sealed partial class DigitModel;

/// <summary>MNIST's 784-128-10 ReLU perceptron, generated (as the command's <c>Perceptron784x128x10</c>).</summary>
[GeneratedMultilayerPerceptron(784, 128, 10, HiddenActivation = Activation.Relu)]
internal sealed partial class DigitNet;
