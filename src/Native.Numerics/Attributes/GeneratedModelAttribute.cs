namespace Native.Numerics;

/// <summary>
/// Compiles a trained model into the program: the Native source generator reads the model file at
/// <see cref="Path"/> when the project builds and writes the rest of the <c>static partial class</c> it marks —
/// the weights as read-only data in the assembly, the standardizer and class names the file holds, and
/// prediction methods on raw rows with kernels compiled for the model's exact shape. No file is read at run time.
/// </summary>
/// <remarks>
/// <para>
/// The file is a model file <see cref="ModelFile"/> writes (safetensors) or an ONNX model of the kinds
/// <see cref="ModelFile.Load(string)"/> reads, and must be one of the project's <c>AdditionalFiles</c>; the path
/// is relative to the project's directory, as the item is:
/// </para>
/// <code>
/// // Digits.csproj: &lt;AdditionalFiles Include="models/digits.safetensors" /&gt;
/// [GeneratedModel("models/digits.safetensors")]
/// public static partial class Digits;
///
/// int digit = Digits.PredictClass(row);                // raw features, as in the training data
/// Digits.PredictProbabilities(row, probabilities);     // Digits.Classes values, summing to 1
/// string name = Digits.PredictClassName(row);          // the class name saved in the file
/// </code>
/// <para>
/// The generated class's predictions equal, bit for bit, those of the model <see cref="ModelFile.Load(string)"/>
/// reads from the same file, on the same raw rows. <c>CreateModel()</c> gives a trainable model with the file's
/// weights (its inputs standardized, as training saw them) for fine-tuning.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class GeneratedModelAttribute : Attribute
{
    /// <summary>Compiles the model file at <paramref name="path"/>, relative to the project's directory, into the marked class.</summary>
    /// <param name="path">The model file: a <c>.safetensors</c> file <see cref="ModelFile"/> wrote, or an <c>.onnx</c> model; one of the project's <c>AdditionalFiles</c>.</param>
    public GeneratedModelAttribute(string path) => Path = path;

    /// <summary>The model file, relative to the project's directory.</summary>
    public string Path { get; }
}
