using Native.Numerics;

namespace Native.Tests.Generated;

// Regressors compiled into this assembly from the model files in Generated/models (made by the commands in its README):
// each tested against ModelFile.Load of the same file (CompiledRegressorTests) and held to the vocabulary
// (PredictionVocabularyTests).

/// <summary>A 10-16-1 perceptron regressor (ReLU) on the diabetes set, with its standardizer: one value a row.</summary>
[GeneratedModel("Generated/models/diabetes-perceptron.safetensors")]
public static partial class DiabetesPerceptron;

/// <summary>A linear regression of the diabetes set's other 9 features into 2 targets (s6 and target), with its standardizer.</summary>
[GeneratedModel("Generated/models/diabetes-targets.safetensors")]
public static partial class DiabetesTargets;

/// <summary>A 9-12-8-2 perceptron regressor (tanh) into the same 2 targets, compiled from ONNX.</summary>
[GeneratedModel("Generated/models/diabetes-targets-perceptron.onnx")]
public static partial class DiabetesTargetsPerceptron;
