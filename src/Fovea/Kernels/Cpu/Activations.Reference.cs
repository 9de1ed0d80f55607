using System.Numerics.Tensors;

namespace Fovea.Kernels.Cpu;

internal static partial class Activations
{
    /// <summary>
    /// Reference elementwise activation kernels: forward y = g(x), backward gradInput = gradOutput·g'(x).
    /// Dedicated loops (no per-element delegates); TensorPrimitives where it has the op. Single-threaded; the
    /// fast kernels of <see cref="Activations"/> are tested against them.
    /// </summary>
    internal static class Reference
    {
        // ---- ReLU: max(0, x); g'(0) = 0 as in PyTorch ----
        public static void ReluForward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

        public static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gradOutput, Span<float> gradInput)
        {
            for (int i = 0; i < x.Length; i++) gradInput[i] = x[i] > 0 ? gradOutput[i] : 0f;
        }

        // ---- LeakyReLU: x > 0 ? x : slope·x; g'(0) = slope as in PyTorch ----
        public static void LeakyReluForward(ReadOnlySpan<float> x, Span<float> y, float negativeSlope)
        {
            for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0 ? x[i] : x[i] * negativeSlope;
        }

        public static void LeakyReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gradOutput, Span<float> gradInput, float negativeSlope)
        {
            for (int i = 0; i < x.Length; i++) gradInput[i] = x[i] > 0 ? gradOutput[i] : gradOutput[i] * negativeSlope;
        }

        // ---- ELU ----

        /// <summary>α(eˣ − 1), evaluated in double so that it stays accurate near 0 (PyTorch uses expm1).</summary>
        private static float ExponentialBranch(float x, float alpha) => (float)(alpha * (Math.Exp(x) - 1.0));

        /// <summary>Standard: x > 0 ? x : α(eˣ − 1). Cheat sheet: max(α(eˣ − 1), x).</summary>
        public static void EluForward(ReadOnlySpan<float> x, Span<float> y, float alpha, bool cheatSheetForm)
        {
            if (cheatSheetForm)
                for (int i = 0; i < x.Length; i++) y[i] = MathF.Max(ExponentialBranch(x[i], alpha), x[i]);
            else
                for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0 ? x[i] : ExponentialBranch(x[i], alpha);
        }

        /// <summary>
        /// Standard: g' = 1 for x > 0, αeˣ for x ≤ 0 (PyTorch's choice at 0). Cheat sheet: the slope of the
        /// larger branch (αeˣ or 1); where the branches are equal (the crossing points, e.g. x = 0) the mean
        /// of both slopes, which is what torch.maximum's backward gives.
        /// </summary>
        public static void EluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gradOutput, Span<float> gradInput, float alpha, bool cheatSheetForm)
        {
            for (int i = 0; i < x.Length; i++)
            {
                float exponentialSlope = (float)(alpha * Math.Exp(x[i]));
                float slope;
                if (!cheatSheetForm) slope = x[i] > 0 ? 1f : exponentialSlope;
                else
                {
                    float exponential = ExponentialBranch(x[i], alpha);
                    slope = exponential > x[i] ? exponentialSlope : exponential < x[i] ? 1f : 0.5f * (exponentialSlope + 1f);
                }
                gradInput[i] = gradOutput[i] * slope;
            }
        }

        // ---- Sigmoid and Tanh: the derivative comes from the output ----
        public static void SigmoidForward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);

        /// <summary>g' = y(1 − y).</summary>
        public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> gradOutput, Span<float> gradInput)
        {
            for (int i = 0; i < y.Length; i++) gradInput[i] = gradOutput[i] * y[i] * (1f - y[i]);
        }

        public static void TanhForward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);

        /// <summary>g' = 1 − y².</summary>
        public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> gradOutput, Span<float> gradInput)
        {
            for (int i = 0; i < y.Length; i++) gradInput[i] = gradOutput[i] * (1f - y[i] * y[i]);
        }
    }
}
