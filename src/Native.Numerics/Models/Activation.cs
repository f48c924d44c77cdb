namespace Native.Numerics;

/// <summary>The activation function of a hidden layer.</summary>
public enum Activation
{
    /// <summary>The rectified linear unit, max(0, x). Initialized with He's scheme.</summary>
    Relu,

    /// <summary>The leaky rectified linear unit: x where x &gt; 0, else slope·x. Initialized with He's scheme.</summary>
    LeakyRelu,

    /// <summary>The logistic sigmoid, 1 / (1 + e^-x). Initialized with Xavier's (Glorot's) scheme.</summary>
    Sigmoid,

    /// <summary>The hyperbolic tangent. Initialized with Xavier's (Glorot's) scheme.</summary>
    Tanh,
}
