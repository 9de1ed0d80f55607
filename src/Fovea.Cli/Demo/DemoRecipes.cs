namespace Fovea.Cli.Demo;

/// <summary>The recipes the demo can run.</summary>
internal static partial class DemoRecipes
{
    /// <summary>LeNet-5 trained with cross-entropy and SGD, or null in a build that lacks those layers.</summary>
    public static IDemoRecipe? LeNet
    {
        get
        {
            IDemoRecipe? recipe = null;
            ProvideLeNet(ref recipe);
            return recipe;
        }
    }

    // Implemented in Demo/LeNetRecipe.cs, which needs Conv2d, MaxPool2d, ReLU, F.CrossEntropy and Sgd. Until those
    // are merged, Fovea.Cli.csproj leaves that file out and this call compiles to nothing. After the merge this
    // indirection can become a plain `new LeNetRecipe()`.
    static partial void ProvideLeNet(ref IDemoRecipe? recipe);
}
