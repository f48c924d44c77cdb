using Native.Numerics;

namespace Native.Tests.Optimization;

/// <summary>The minimizer on the course's examples.</summary>
public class MinimizerTests
{
    // f(x) = x² + 10 sin x: a local minimum near 3.8375 and the global one near −1.3064.
    private static float F(float x) => (x * x) + (10f * MathF.Sin(x));

    private static float Derivative(float x) => (2f * x) + (10f * MathF.Cos(x));

    [Fact]
    public void GradientDescentFromFiveStopsInTheLocalMinimum()
    {
        Minimum minimum = Minimizer.Minimize(F, Derivative, 5f, new GradientDescent(0.1f));
        Assert.True(minimum.Converged);
        Assert.Equal(3.8375f, minimum.Point, 1e-3f);
        Assert.Equal(F(minimum.Point), minimum.Value);
        Assert.InRange(minimum.Iterations, 1, 1000);
    }

    [Fact]
    public void MomentumFromFiveReachesTheGlobalMinimum()
    {
        Minimum minimum = Minimizer.Minimize(F, Derivative, 5f, new Momentum(0.1f, 0.9f));
        Assert.True(minimum.Converged);
        Assert.Equal(-1.3064f, minimum.Point, 1e-3f);
        Assert.True(minimum.Value < F(3.8375f));
    }

    [Fact]
    public void AVectorFunctionIsMinimizedToItsStationaryPoint()
    {
        // f(x, y) = (x − 3)² + 10(y + 1)²: a narrow valley, minimum at (3, −1).
        VectorMinimum minimum = Minimizer.Minimize(
            p => ((p[0] - 3f) * (p[0] - 3f)) + (10f * (p[1] + 1f) * (p[1] + 1f)),
            (p, g) =>
            {
                g[0] = 2f * (p[0] - 3f);
                g[1] = 20f * (p[1] + 1f);
            },
            [0f, 0f],
            new Momentum(0.02f, 0.8f, nesterov: true));
        Assert.True(minimum.Converged);
        Assert.Equal(3f, minimum.Point[0], 1e-4f);
        Assert.Equal(-1f, minimum.Point[1], 1e-4f);
    }

    [Fact]
    public void TheIterationLimitStopsWithoutConvergence()
    {
        Minimum minimum = Minimizer.Minimize(F, Derivative, 5f, new GradientDescent(0.001f), maxIterations: 10);
        Assert.False(minimum.Converged);
        Assert.Equal(10, minimum.Iterations);
    }

    [Fact]
    public void DivergenceIsReportedNotReturned()
    {
        var exception = Assert.Throws<ArithmeticException>(() =>
            Minimizer.Minimize(x => x * x, x => 2f * x, 1f, new GradientDescent(1.5f)));
        Assert.Contains("learning rate 1.5", exception.Message, StringComparison.Ordinal);
    }
}
