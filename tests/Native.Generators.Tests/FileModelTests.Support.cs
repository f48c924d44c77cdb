using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Native.Generators;
using Native.Numerics;

namespace Native.Generators.Tests;

// What the compiled-model tests share: the vocabulary every model answers, models, values, reflection.
public partial class FileModelTests
{
    internal delegate int ClassOf(ReadOnlySpan<float> row);

    internal delegate string NameOf(ReadOnlySpan<float> row);

    internal delegate float ValueOf(ReadOnlySpan<float> row);

    internal delegate void Probabilities(ReadOnlySpan<float> rows, Span<float> probabilities);

    internal delegate void ClassesOf(ReadOnlySpan<float> rows, Span<int> classes);

    internal delegate void ValuesOf(ReadOnlySpan<float> rows, Span<float> values);

    internal delegate bool TryClassOf(ReadOnlySpan<float> row, out int predictedClass);

    internal delegate bool TryValueOf(ReadOnlySpan<float> row, out float value);

    // The calls every model answers (Native.Tests' PredictionVocabularyTests holds the instance models to the same list), as
    // static members with the same names, parameter names and types; and nothing of the old vocabulary.
    // A regression of several targets answers PredictValues only: the calls of one value would always throw, so they are not there.
    internal static void AssertVocabulary(Type compiled, bool regression, int outputs = 1)
    {
        (string Name, Type Returns, (Type Type, string Name)[] Parameters)[] calls = regression && outputs > 1
            ? [("PredictValues", typeof(void), [(typeof(ReadOnlySpan<float>), "rows"), (typeof(Span<float>), "values")])]
            : regression
            ?
            [
                ("PredictValue", typeof(float), [(typeof(ReadOnlySpan<float>), "row")]),
                ("TryPredictValue", typeof(bool), [(typeof(ReadOnlySpan<float>), "row"), (typeof(float).MakeByRefType(), "value")]),
                ("PredictValues", typeof(void), [(typeof(ReadOnlySpan<float>), "rows"), (typeof(Span<float>), "values")]),
            ]
            :
            [
                ("PredictClass", typeof(int), [(typeof(ReadOnlySpan<float>), "row")]),
                ("TryPredictClass", typeof(bool), [(typeof(ReadOnlySpan<float>), "row"), (typeof(int).MakeByRefType(), "predictedClass")]),
                ("PredictClasses", typeof(void), [(typeof(ReadOnlySpan<float>), "rows"), (typeof(Span<int>), "classes")]),
                ("PredictProbabilities", typeof(void), [(typeof(ReadOnlySpan<float>), "rows"), (typeof(Span<float>), "probabilities")]),
                ("PredictClassName", typeof(string), [(typeof(ReadOnlySpan<float>), "row")]),
            ];
        foreach (var (name, returns, parameters) in calls)
        {
            MethodInfo? method = compiled.GetMethod(name, BindingFlags.Public | BindingFlags.Static, [.. parameters.Select(p => p.Type)]);
            Assert.True(method is not null, $"the compiled model has no static {name}");
            Assert.Equal(returns, method.ReturnType);
            Assert.Equal(parameters.Select(p => p.Name), method.GetParameters().Select(p => p.Name!));
        }

        Assert.DoesNotContain(compiled.GetMethods(), m => m.Name is "Predict" or "PredictProbability");
        if (regression && outputs > 1)
        {
            Assert.DoesNotContain(compiled.GetMethods(), m => m.Name is "PredictValue" or "TryPredictValue" or "PredictClass");
        }
    }

    internal static IModel Create(string kind) => kind switch
    {
        "linear" => new LinearRegression(13),
        "logistic" => new LogisticRegression(30),
        "softmax" => new SoftmaxRegression(33, 7),
        "perceptron regressor" => new MultilayerPerceptronRegressor([12, 10, 1], Activation.LeakyRelu, seed: 3),
        "targets" => new LinearRegression(11, 3),
        "targets perceptron" => new MultilayerPerceptronRegressor(ModelShape.MultilayerPerceptronRegressor([17, 9, 5, 2], [Activation.Relu, Activation.Sigmoid]), seed: 4),
        _ => new MultilayerPerceptron([20, 16, 9, 4], Activation.Tanh, seed: 2),
    };

    internal static void Fill(Span<float> values, Random random, float scale)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() - 0.5) * 2 * scale);
        }
    }

    internal static float[] Values(int count, Random random, float center, float spread) =>
        Enumerable.Range(0, count).Select(_ => center + (float)((random.NextDouble() - 0.5) * 2 * spread)).ToArray();

    internal static TDelegate Method<TDelegate>(Type type, string name, params Type[] parameters)
        where TDelegate : Delegate =>
        type.GetMethod(name, BindingFlags.Public | BindingFlags.Static, parameters)!.CreateDelegate<TDelegate>();

    internal static void Same(float expected, float actual, string what) =>
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"{what}: the loaded model gives {expected:R}, the compiled one {actual:R}");
}
