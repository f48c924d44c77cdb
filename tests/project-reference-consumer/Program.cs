using System.Globalization;
using Native.Numerics;

// A generated model (the generator ran on this project through its ProjectReference) trained on twelve irises, then
// asked for one flower: prints the species and its probability.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
float[] petals =
[
    1.4f, 0.2f,  1.3f, 0.2f,  1.5f, 0.2f,  1.7f, 0.4f,
    4.7f, 1.4f,  4.5f, 1.5f,  4.0f, 1.3f,  3.9f, 1.1f,
    6.0f, 2.5f,  5.1f, 1.9f,  5.9f, 2.1f,  5.6f, 1.8f,
];
int[] species = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
string[] names = ["setosa", "versicolor", "virginica"];

var model = new Petals();
new Trainer(model, new Adam(learningRate: 0.1f), new TrainerOptions { Epochs = 300, BatchSize = 12, Seed = 1 })
    .Fit(Dataset.FromLabels(petals, Petals.Features, species, classNames: names));

float[] flower = [4.2f, 1.3f], probabilities = new float[Petals.Classes];
model.PredictProbabilities(flower, probabilities);
int predicted = model.PredictClass(flower);
Console.WriteLine($"{names[predicted]} {probabilities[predicted]:F2}");

/// <summary>Petal length and width into three species, its kernels generated for the shape.</summary>
[GeneratedSoftmaxRegression(features: 2, classes: 3)]
internal sealed partial class Petals;
