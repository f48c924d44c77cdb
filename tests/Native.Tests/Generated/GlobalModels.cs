using Native.Numerics;

#pragma warning disable CA1050 // Declare types in namespaces: this one is in the global namespace on purpose, to test that.

/// <summary>A model in the global namespace.</summary>
[GeneratedLinearRegression(features: 3)]
public sealed partial class GlobalLinear3;
