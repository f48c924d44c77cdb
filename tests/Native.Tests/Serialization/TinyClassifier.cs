using Native.Numerics;

namespace Native.Tests.Serialization;

/// <summary>
/// A hand-written model with a parameterless constructor and a fixed shape (softmax regression, 3 features,
/// 2 classes), standing in for a source-generated model in the typed-load tests.
/// </summary>
internal sealed class TinyClassifier : IModel
{
    private static readonly ModelShape TinyShape = ModelShape.SoftmaxRegression(3, 2);

    private readonly float[] _parameters = new float[TinyShape.ParameterCount];

    public ModelShape Shape => TinyShape;

    public ModelTask Task => ModelTask.MulticlassClassification;

    public int Features => 3;

    public int Outputs => 2;

    public Span<float> Parameters => _parameters;

    public void Forward(ReadOnlySpan<float> features, Span<float> outputs)
    {
        // W is (2, 3) row-major, then b (2).
        for (int c = 0; c < 2; c++)
        {
            outputs[c] = _parameters[6 + c] + (_parameters[3 * c] * features[0]) + (_parameters[(3 * c) + 1] * features[1]) + (_parameters[(3 * c) + 2] * features[2]);
        }

        float max = Math.Max(outputs[0], outputs[1]);
        float e0 = MathF.Exp(outputs[0] - max), e1 = MathF.Exp(outputs[1] - max);
        outputs[0] = e0 / (e0 + e1);
        outputs[1] = e1 / (e0 + e1);
    }

    public void ForwardBatch(ReadOnlySpan<float> rows, Span<float> outputs)
    {
        for (int i = 0; i < rows.Length / 3; i++)
        {
            Forward(rows.Slice(3 * i, 3), outputs.Slice(2 * i, 2));
        }
    }

    public float Loss(in Batch batch) => throw new NotSupportedException();

    public float AccumulateGradient(in Batch batch, Span<float> gradient) => throw new NotSupportedException();
}
