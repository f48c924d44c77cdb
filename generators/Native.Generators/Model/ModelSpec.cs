namespace Native.Generators.Model;

/// <summary>The model kinds, numbered as <c>Native.Numerics.ModelKind</c> (the perceptron regressor only from a file).</summary>
internal enum ModelKind
{
    LinearRegression = 0,
    LogisticRegression = 1,
    SoftmaxRegression = 2,
    MultilayerPerceptron = 3,
    MultilayerPerceptronRegressor = 4,
}

/// <summary>The hidden-layer activations, numbered as <c>Native.Numerics.Activation</c>.</summary>
internal enum HiddenActivation
{
    Relu = 0,
    LeakyRelu = 1,
    Sigmoid = 2,
    Tanh = 3,
}

/// <summary>A type declaration the generated code reopens: its keyword (<c>class</c>, <c>struct</c>, <c>record</c>, <c>record struct</c>) and name.</summary>
internal readonly record struct TypeDeclaration(string Keyword, string Name);

/// <summary>
/// Everything the emitter needs to write one model, and nothing from Roslyn: names, kind and sizes. Two specs
/// with equal values produce identical source, which is what lets the pipeline skip the emitter.
/// </summary>
/// <param name="Namespace">The type's namespace, or empty for the global namespace.</param>
/// <param name="ContainingTypes">The types the model is nested in, outermost first.</param>
/// <param name="Type">The model type itself.</param>
/// <param name="NeedsConstructor">A struct with no instance constructor of its own: the field initializers need one.</param>
/// <param name="Kind">What model to generate.</param>
/// <param name="LayerSizes">The features, the hidden widths (perceptron), then the outputs (1 for the linear and logistic regressions).</param>
/// <param name="Activation">The perceptron's hidden activation.</param>
/// <param name="LeakyReluSlope">The perceptron's leaky ReLU slope.</param>
internal readonly record struct ModelSpec(
    string Namespace,
    EquatableArray<TypeDeclaration> ContainingTypes,
    TypeDeclaration Type,
    bool NeedsConstructor,
    ModelKind Kind,
    EquatableArray<int> LayerSizes,
    HiddenActivation Activation,
    float LeakyReluSlope)
{
    /// <summary>The type's name with its containing types and namespace, for messages and file names.</summary>
    public string FullName
    {
        get
        {
            string name = Type.Name;
            for (int i = ContainingTypes.Count - 1; i >= 0; i--)
            {
                name = ContainingTypes[i].Name + "." + name;
            }

            return Namespace.Length == 0 ? name : Namespace + "." + name;
        }
    }
}

/// <summary>What the parser makes of one attribute: a spec to emit, or diagnostics, or both empty (the compiler reports the error).</summary>
internal readonly record struct ModelResult(ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
