using System.Reflection;
using Native.Numerics;
using Native.Tests.Generated;

namespace Native.Tests.Models;

/// <summary>
/// Every model a program can hold answers the same calls with the same names: the run-time-shaped models, the generated
/// ones and <see cref="TrainedModel"/> (a compiled-in model's static members are held to the same list by the generator's
/// tests). The non-throwing forms answer what the throwing ones do, and false where those throw for the row.
/// </summary>
public class PredictionVocabularyTests
{
    /// <summary>A classifier's calls: name, return type, and each parameter's type and name.</summary>
    public static readonly (string Name, Type Returns, (Type Type, string Name)[] Parameters)[] ClassifierCalls =
    [
        ("PredictClass", typeof(int), [(typeof(ReadOnlySpan<float>), "row")]),
        ("TryPredictClass", typeof(bool), [(typeof(ReadOnlySpan<float>), "row"), (typeof(int).MakeByRefType(), "predictedClass")]),
        ("PredictClasses", typeof(void), [(typeof(ReadOnlySpan<float>), "rows"), (typeof(Span<int>), "classes")]),
        ("PredictProbabilities", typeof(void), [(typeof(ReadOnlySpan<float>), "rows"), (typeof(Span<float>), "probabilities")]),
    ];

    /// <summary>A regressor's calls.</summary>
    public static readonly (string Name, Type Returns, (Type Type, string Name)[] Parameters)[] RegressorCalls =
    [
        ("PredictValue", typeof(float), [(typeof(ReadOnlySpan<float>), "row")]),
        ("TryPredictValue", typeof(bool), [(typeof(ReadOnlySpan<float>), "row"), (typeof(float).MakeByRefType(), "value")]),
        ("PredictValues", typeof(void), [(typeof(ReadOnlySpan<float>), "rows"), (typeof(Span<float>), "values")]),
    ];

    public static TheoryData<Type> Classifiers => new([typeof(SoftmaxRegression), typeof(LogisticRegression), typeof(MultilayerPerceptron), typeof(Softmax3x3), typeof(Logistic3), typeof(SoftmaxStruct9x3), typeof(Perceptron3x5x2), typeof(TrainedModel)]);

    public static TheoryData<Type> Regressors => new([typeof(LinearRegression), typeof(Linear10), typeof(GlobalLinear3), typeof(TrainedModel)]);

    [Theory]
    [MemberData(nameof(Classifiers))]
    public void EveryClassifierAnswersTheClassifierCalls(Type type) => AssertAnswers(type, ClassifierCalls, BindingFlags.Public | BindingFlags.Instance);

    [Theory]
    [MemberData(nameof(Regressors))]
    public void EveryRegressorAnswersTheRegressorCalls(Type type) => AssertAnswers(type, RegressorCalls, BindingFlags.Public | BindingFlags.Instance);

    /// <summary>The regressors compiled in from files (Generated/CompiledRegressors.cs): static members, the same calls.</summary>
    public static TheoryData<Type> CompiledRegressors => new([typeof(DiabetesPerceptron)]);

    /// <summary>Compiled-in regressions of several targets: a row's values are several, so only <c>PredictValues</c>.</summary>
    public static TheoryData<Type> CompiledMultiOutputRegressors => new([typeof(DiabetesTargets), typeof(DiabetesTargetsPerceptron)]);

    [Theory]
    [MemberData(nameof(CompiledRegressors))]
    public void EveryCompiledRegressorAnswersTheRegressorCalls(Type type) => AssertAnswers(type, RegressorCalls, BindingFlags.Public | BindingFlags.Static);

    [Theory]
    [MemberData(nameof(CompiledMultiOutputRegressors))]
    public void ACompiledRegressionOfSeveralTargetsAnswersPredictValuesAndNoCallOfOneValue(Type type)
    {
        AssertAnswers(type, [RegressorCalls[2]], BindingFlags.Public | BindingFlags.Static);
        Assert.DoesNotContain(type.GetMethods(), m => m.Name is "PredictValue" or "TryPredictValue" or "PredictClass" or "PredictProbabilities");

        // The run-time models of several outputs answer the calls of one value with NotSupportedException; so does the
        // compiled class's Model, which code written for any model holds.
        var model = (TrainedModel)type.GetProperty("Model")!.GetValue(null)!;
        Assert.Throws<NotSupportedException>(() => model.PredictValue(new float[model.Features]));
        Assert.Throws<NotSupportedException>(() => new LinearRegression(3, 2).PredictValue([1f, 2f, 3f]));
    }

    [Fact]
    public void EveryCompiledInt8ModelAnswersTheClassifierCallsAsStaticMembers()
    {
        // Compiled in by [GeneratedModel] from int8 files (Quantization/CompiledQuantizedModelTests.cs); the generator's tests hold
        // float and int8 compiled models of every kind to the same list.
        foreach (Type type in new[] { typeof(Quantization.CompiledDigitsInt8), typeof(Quantization.CompiledDigitsNetInt8) })
        {
            AssertAnswers(type, ClassifierCalls, BindingFlags.Public | BindingFlags.Static);
            Assert.NotNull(type.GetMethod("PredictClassName", BindingFlags.Public | BindingFlags.Static, [typeof(ReadOnlySpan<float>)]));
        }
    }

    [Fact]
    public void TheOldNamesAreGone()
    {
        foreach (Type type in new[] { typeof(SoftmaxRegression), typeof(LogisticRegression), typeof(LinearRegression), typeof(MultilayerPerceptron), typeof(Softmax3x3), typeof(Logistic3), typeof(Linear10), typeof(TrainedModel), typeof(IClassifier), typeof(IRegressor) })
        {
            string[] old = type.GetMethods().Select(m => m.Name).Where(n => n is "Predict" or "PredictProbability").ToArray();
            Assert.True(old.Length == 0, $"{type.Name} still has {string.Join(", ", old)}");
        }
    }

    [Fact]
    public void TryPredictClassAnswersAsPredictClassAndFalseForARowWithoutFiniteLogits()
    {
        IClassifier[] models = [Random(new SoftmaxRegression(3, 3)), Random(new Softmax3x3()), Random(new LogisticRegression(3)), Random(new Logistic3()), new TrainedModel(Random(new SoftmaxRegression(3, 3)))];
        float[][] rows = [[0.5f, -1f, 2f], [3f, 0f, -0.25f], [-2f, 1f, 1f]];
        foreach (IClassifier model in models)
        {
            foreach (float[] row in rows)
            {
                Assert.True(model.TryPredictClass(row, out int predicted));
                Assert.Equal(model.PredictClass(row), predicted);
            }

            Assert.False(model.TryPredictClass([1f, float.NaN, 0f], out int none));
            Assert.Equal(-1, none);
            Assert.Throws<ArgumentException>(() => model.PredictClass([1f, float.NaN, 0f]));

            // A row of the wrong length is the caller's mistake, not the row's: that still throws.
            Assert.Throws<ArgumentException>(() => model.TryPredictClass([1f, 2f], out _));
        }
    }

    [Fact]
    public void TryPredictValueAnswersAsPredictValueAndFalseForARowWithoutAFiniteValue()
    {
        IRegressor[] models = [Random(new LinearRegression(3)), Random(new GlobalLinear3()), new TrainedModel(Random(new LinearRegression(3)))];
        foreach (IRegressor model in models)
        {
            float[] row = [0.5f, -1f, 2f];
            Assert.True(model.TryPredictValue(row, out float value));
            Assert.Equal(model.PredictValue(row), value);

            Assert.False(model.TryPredictValue([float.PositiveInfinity, 0f, 0f], out float none));
            Assert.True(float.IsNaN(none));
            Assert.Throws<ArgumentException>(() => model.PredictValue([float.PositiveInfinity, 0f, 0f]));
            Assert.Throws<ArgumentException>(() => model.TryPredictValue([1f], out _));
        }
    }

    [Fact]
    public void ATrainedModelRefusesTheOtherTasksCalls()
    {
        var classifier = new TrainedModel(new SoftmaxRegression(2, 3));
        Assert.Throws<NotSupportedException>(() => classifier.PredictValue([1f, 2f]));
        Assert.Throws<NotSupportedException>(() => classifier.TryPredictValue([1f, 2f], out _));
        Assert.Throws<NotSupportedException>(() => classifier.PredictValues([1f, 2f], new float[1]));

        var regressor = new TrainedModel(new LinearRegression(2));
        Assert.Throws<NotSupportedException>(() => regressor.PredictClass([1f, 2f]));
        Assert.Throws<NotSupportedException>(() => regressor.TryPredictClass([1f, 2f], out _));
        Assert.Throws<NotSupportedException>(() => regressor.PredictProbabilities([1f, 2f], new float[2]));
    }

    [Fact]
    public void TryPredictAllocatesNothing()
    {
        var model = Random(new Softmax3x3());
        var regressor = Random(new GlobalLinear3());
        float[] row = [0.5f, -1f, 2f], bad = [float.NaN, 0f, 0f];
        long bytes = Support.Allocations.Measure(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                model.TryPredictClass(row, out _);
                model.TryPredictClass(bad, out _);
                regressor.TryPredictValue(row, out _);
                regressor.TryPredictValue(bad, out _);
            }
        });
        Assert.Equal(0, bytes);
    }

    /// <summary>Asserts that <paramref name="type"/> has each call, with exactly these parameter types and names and this return type.</summary>
    internal static void AssertAnswers(Type type, (string Name, Type Returns, (Type Type, string Name)[] Parameters)[] calls, BindingFlags flags)
    {
        foreach (var (name, returns, parameters) in calls)
        {
            MethodInfo? method = type.GetMethod(name, flags, [.. parameters.Select(p => p.Type)]);
            Assert.True(method is not null, $"{type.Name} has no {name}({string.Join(", ", parameters.Select(p => p.Type.Name))})");
            Assert.Equal(returns, method.ReturnType);
            Assert.Equal(parameters.Select(p => p.Name), method.GetParameters().Select(p => p.Name!));
        }
    }

    private static TModel Random<TModel>(TModel model)
        where TModel : IModel
    {
        var random = new Random(7);
        Span<float> parameters = model.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] = (float)(random.NextDouble() - 0.5);
        }

        return model;
    }
}
