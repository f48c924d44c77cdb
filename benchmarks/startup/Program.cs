using Native.Numerics;

// One prediction from MNIST's standardized softmax regression, then exit: the model compiled in (-p:Compiled=true),
// or loaded from the file named on the command line.
float[] row = new float[784], probabilities = new float[10];
for (int i = 0; i < row.Length; i++)
{
    row[i] = (i % 28) / 28f;
}

#if COMPILED
Mnist.PredictProbabilities(row, probabilities);
int digit = Mnist.PredictClass(row);
#else
TrainedModel model = ModelFile.Load(args[0]);
model.PredictProbabilities(row, probabilities);
int digit = model.PredictClass(row);
#endif
Console.WriteLine($"{digit} {probabilities[digit]:R}");

#if COMPILED
/// <summary>The model compiled in.</summary>
[GeneratedModel("../Native.Benchmarks/models/mnist.safetensors")]
internal static partial class Mnist;
#endif
