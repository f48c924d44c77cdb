namespace Native.Numerics;

/// <summary>Numerically careful scalar forms shared by the functions and the models.</summary>
internal static class ScalarFunctions
{
    /// <summary>σ(z) = 1 / (1 + e^-z), evaluated so that the exponent is never positive (no overflow).</summary>
    public static float Sigmoid(float z)
    {
        if (z >= 0f)
        {
            return 1f / (1f + MathF.Exp(-z));
        }

        float e = MathF.Exp(z);
        return e / (1f + e);
    }

    /// <summary>softplus(z) = log(1 + e^z) = max(z, 0) + log(1 + e^-|z|), which never overflows.</summary>
    public static float Softplus(float z) =>
        MathF.Max(z, 0f) + (float)Math.Log(1.0 + Math.Exp(-Math.Abs((double)z)));
}
