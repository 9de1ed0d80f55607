using Fovea.Nn;

namespace Fovea.Cli.Demo;

/// <summary>What the demo trains: a model and the step that optimises it.</summary>
internal interface IDemoRecipe
{
    /// <summary>Shown in the summary, e.g. "LeNet-5".</summary>
    string Name { get; }

    /// <summary>A freshly initialised model (from the default generator, which the demo seeds).</summary>
    Sequential BuildModel();

    /// <summary>The optimisation step for <paramref name="model"/>: SGD with the given learning rate and momentum.</summary>
    TrainStep CreateTrainStep(Sequential model, float learningRate, float momentum);
}
