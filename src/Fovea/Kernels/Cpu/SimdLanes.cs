using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Fovea.Kernels.Cpu;

/// <summary>
/// The vector operations that kernels written once for every SIMD width need (<see cref="GemmRowDots"/>, the implicit
/// convolution's micro-kernel), on <typeparamref name="TVector"/>: Vector512&lt;float&gt;, Vector256&lt;float&gt;, or one
/// float when hardware intrinsics are off. The implementations are structs and the kernels keep raw vectors in their
/// accumulators, so a kernel generic over them is compiled once per width with every call inlined into the same code
/// as a hand-written one.
/// </summary>
internal interface ILanes<TVector> where TVector : struct
{
    static abstract int Count { get; }
    static abstract TVector Load(ref float source, nuint offset);
    static abstract unsafe TVector Load(float* source);
    static abstract TVector Broadcast(float value);
    /// <summary>x·y + sum: fused where the hardware has FMA, rounded then added for one float.</summary>
    static abstract TVector MultiplyAdd(TVector x, TVector y, TVector sum);
    static abstract TVector Add(TVector x, TVector y);
    static abstract TVector Subtract(TVector x, TVector y);
    static abstract TVector Multiply(TVector x, TVector y);
    /// <summary>max(x, 0) lane by lane, as Activations.ReluForward: x where x &gt; 0 or NaN, else +0 (so −0 gives +0).</summary>
    static abstract TVector Relu(TVector x);
    static abstract unsafe void Store(TVector lanes, float* target);
    static abstract void Store(TVector lanes, ref float target, nuint offset);
    static abstract float Sum(TVector lanes);
}

internal readonly struct Lanes512 : ILanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    public static unsafe Vector512<float> Load(float* source) => Vector512.Load(source);
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);
    public static Vector512<float> MultiplyAdd(Vector512<float> x, Vector512<float> y, Vector512<float> sum) => Vector512.FusedMultiplyAdd(x, y, sum);
    public static Vector512<float> Add(Vector512<float> x, Vector512<float> y) => x + y;
    public static Vector512<float> Subtract(Vector512<float> x, Vector512<float> y) => x - y;
    public static Vector512<float> Multiply(Vector512<float> x, Vector512<float> y) => x * y;
    public static Vector512<float> Relu(Vector512<float> x) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero) | ~Vector512.Equals(x, x), x, Vector512<float>.Zero);
    public static unsafe void Store(Vector512<float> lanes, float* target) => lanes.Store(target);
    public static void Store(Vector512<float> lanes, ref float target, nuint offset) => lanes.StoreUnsafe(ref target, offset);
    public static float Sum(Vector512<float> lanes) => Vector512.Sum(lanes);
}

internal readonly struct Lanes256 : ILanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);
    public static unsafe Vector256<float> Load(float* source) => Vector256.Load(source);
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);
    public static Vector256<float> MultiplyAdd(Vector256<float> x, Vector256<float> y, Vector256<float> sum) => Vector256.FusedMultiplyAdd(x, y, sum);
    public static Vector256<float> Add(Vector256<float> x, Vector256<float> y) => x + y;
    public static Vector256<float> Subtract(Vector256<float> x, Vector256<float> y) => x - y;
    public static Vector256<float> Multiply(Vector256<float> x, Vector256<float> y) => x * y;
    public static Vector256<float> Relu(Vector256<float> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero) | ~Vector256.Equals(x, x), x, Vector256<float>.Zero);
    public static unsafe void Store(Vector256<float> lanes, float* target) => lanes.Store(target);
    public static void Store(Vector256<float> lanes, ref float target, nuint offset) => lanes.StoreUnsafe(ref target, offset);
    public static float Sum(Vector256<float> lanes) => Vector256.Sum(lanes);
}

/// <summary>Four lanes, for rows too short for the wider vectors (Winograd's transforms of 8- to 15-pixel-wide outputs).</summary>
internal readonly struct Lanes128 : ILanes<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;
    public static Vector128<float> Load(ref float source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);
    public static unsafe Vector128<float> Load(float* source) => Vector128.Load(source);
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);
    public static Vector128<float> MultiplyAdd(Vector128<float> x, Vector128<float> y, Vector128<float> sum) => Vector128.FusedMultiplyAdd(x, y, sum);
    public static Vector128<float> Add(Vector128<float> x, Vector128<float> y) => x + y;
    public static Vector128<float> Subtract(Vector128<float> x, Vector128<float> y) => x - y;
    public static Vector128<float> Multiply(Vector128<float> x, Vector128<float> y) => x * y;
    public static Vector128<float> Relu(Vector128<float> x) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero) | ~Vector128.Equals(x, x), x, Vector128<float>.Zero);
    public static unsafe void Store(Vector128<float> lanes, float* target) => lanes.Store(target);
    public static void Store(Vector128<float> lanes, ref float target, nuint offset) => lanes.StoreUnsafe(ref target, offset);
    public static float Sum(Vector128<float> lanes) => Vector128.Sum(lanes);
}

/// <summary>No SIMD (DOTNET_EnableHWIntrinsic=0): one lane, plain products.</summary>
internal readonly struct Lane : ILanes<float>
{
    public static int Count => 1;
    public static float Load(ref float source, nuint offset) => Unsafe.Add(ref source, offset);
    public static unsafe float Load(float* source) => *source;
    public static float Broadcast(float value) => value;
    public static float MultiplyAdd(float x, float y, float sum) => x * y + sum;
    public static float Add(float x, float y) => x + y;
    public static float Subtract(float x, float y) => x - y;
    public static float Multiply(float x, float y) => x * y;
    public static float Relu(float x) => x > 0f || float.IsNaN(x) ? x : 0f;
    public static unsafe void Store(float lanes, float* target) => *target = lanes;
    public static void Store(float lanes, ref float target, nuint offset) => Unsafe.Add(ref target, offset) = lanes;
    public static float Sum(float lanes) => lanes;
}
