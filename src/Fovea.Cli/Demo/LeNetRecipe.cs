using Fovea.Nn;
using Fovea.Optim;
using Fovea.Vision.Datasets;
using Fovea.Vision.Models;

namespace Fovea.Cli.Demo;

/// <summary>LeNet-5 on Fashion-MNIST, trained with mean cross-entropy and SGD with momentum.</summary>
internal sealed class LeNetRecipe : IDemoRecipe
{
    public string Name => "LeNet-5";

    public Sequential BuildModel() => LeNet.LeNet5(FashionMnist.ClassCount);

    public TrainStep CreateTrainStep(Sequential model, float learningRate, float momentum)
    {
        var optimizer = new Sgd(model.Parameters(), learningRate, momentum);
        return batch =>
        {
            var logits = model.Forward(batch.Images);              // (B, 10)
            var loss = F.CrossEntropy(logits, batch.Targets);      // mean over the batch
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            return new StepResult(loss.Item(), logits);
        };
    }
}
