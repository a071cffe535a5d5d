// cuDNN convolution baseline behind the same signature as ours (conv2d.h).
//
// Layouts map one to one: x (N, H, W, C) is CUDNN_TENSOR_NHWC, w (K, R, S, C) is cuDNN's NHWC
// filter format, y (N, P, Q, K) NHWC. Precision:
//   fp32  float data, CUDNN_FMA_MATH (no tensor cores), only FMA algorithms accepted
//   tf32  float data, CUDNN_TENSOR_OP_MATH (TF32 tensor cores allowed)
//   bf16  bf16 x, w and y, FP32 compute, CUDNN_TENSOR_OP_MATH.
// Where our conv2d() falls back to FP32 (tf32 with C % 4 != 0, bf16 with C % 8 != 0: the stem)
// this baseline does too, so both sides compute the same thing.
// The algorithm is chosen by cudnnFindConvolutionForwardAlgorithm (which times every algorithm
// once) the first time a (device, shape, precision) is seen, and cached with its descriptors.
// The workspace is one grow-only device buffer per device, reused by every call.
// Epilogue: bias, residual and ReLU run as one separate elementwise pass (apply_epilogue), not
// cudnnConvolutionBiasActivationForward: that call allows an identity activation only with the
// IMPLICIT_PRECOMP_GEMM algorithm and would tie the algorithm choice to the epilogue. The extra
// pass reads and writes y once more (about 8-12 bytes per output element); benchmarks say so.
// For bf16 the pass also widens cuDNN's bf16 output to our f32 y.
#include "kernels/cuda/conv2d.h"

#if defined(TL_EMULATE_CUDA)
// The emulated build (kernels/emulator) has no cuDNN: the baseline reports so when called.
namespace tl::cuda {
void conv2d_cudnn(const Conv2dShape&, const ConvOperands&, const ConvEpilogue&, Precision, cudaStream_t) {
  TL_FAIL("conv2d_cudnn: cuDNN is not available in the emulated CUDA build");
}
}  // namespace tl::cuda
#else
#include <cudnn.h>

#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/cudnn_check.h"

namespace tl::cuda {
namespace {

// A device buffer that only grows; freed at thread exit.
class GrowBuffer {
 public:
  GrowBuffer() = default;
  GrowBuffer(const GrowBuffer&) = delete;
  GrowBuffer& operator=(const GrowBuffer&) = delete;
  ~GrowBuffer() {
    if (data_) cudaFree(data_);  // errors at exit are moot
  }
  void* get(size_t bytes) {
    if (bytes <= bytes_) return data_;
    if (data_) TL_CUDA_CHECK(cudaFree(data_));  // cudaFree waits for queued work that may use it
    data_ = nullptr;
    bytes_ = 0;
    TL_CUDA_CHECK(cudaMalloc(&data_, bytes));
    bytes_ = bytes;
    return data_;
  }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

// Descriptors and the chosen algorithm for one (shape, precision).
struct ConvPlan {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnnConvolutionFwdAlgo_t algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  size_t workspace_bytes = 0;
  bool bf16_io = false;

  ConvPlan() = default;
  ConvPlan(const ConvPlan&) = delete;
  ConvPlan& operator=(const ConvPlan&) = delete;
  ~ConvPlan() {  // destroy errors at exit are moot
    if (x) cudnnDestroyTensorDescriptor(x);
    if (y) cudnnDestroyTensorDescriptor(y);
    if (w) cudnnDestroyFilterDescriptor(w);
    if (conv) cudnnDestroyConvolutionDescriptor(conv);
  }
};

using PlanKey = std::tuple<int, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int>;

// Per (thread, device): the cuDNN handle, the plans and the buffers.
struct DeviceState {
  cudnnHandle_t handle = nullptr;
  GrowBuffer workspace, y_bf16;
  DeviceState() = default;
  DeviceState(const DeviceState&) = delete;
  DeviceState& operator=(const DeviceState&) = delete;
  ~DeviceState() {
    if (handle) cudnnDestroy(handle);
  }
};

struct CudnnState {
  std::map<int, std::unique_ptr<DeviceState>> devices;
  std::map<PlanKey, std::unique_ptr<ConvPlan>> plans;
};

CudnnState& state() {
  thread_local CudnnState s;
  return s;
}

int current_device() {
  int device = 0;
  TL_CUDA_CHECK(cudaGetDevice(&device));
  return device;
}

DeviceState& device_state(int device) {
  auto& slot = state().devices[device];
  if (!slot) {
    auto d = std::make_unique<DeviceState>();
    TL_CUDNN_CHECK(cudnnCreate(&d->handle));
    slot = std::move(d);
  }
  return *slot;
}

int to_int(int64_t v, const char* what) {
  TL_CHECK(v > 0 && v <= 0x7fffffff, "conv2d_cudnn: " << what << "=" << v << " does not fit cuDNN's int");
  return static_cast<int>(v);
}

std::unique_ptr<ConvPlan> make_plan(cudnnHandle_t handle, const Conv2dShape& s, Precision precision) {
  auto plan = std::make_unique<ConvPlan>();
  plan->bf16_io = conv2d_uses_bf16(s, precision);
  const cudnnDataType_t data = plan->bf16_io ? CUDNN_DATA_BFLOAT16 : CUDNN_DATA_FLOAT;
  TL_CUDNN_CHECK(cudnnCreateTensorDescriptor(&plan->x));
  TL_CUDNN_CHECK(cudnnCreateTensorDescriptor(&plan->y));
  TL_CUDNN_CHECK(cudnnCreateFilterDescriptor(&plan->w));
  TL_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&plan->conv));
  TL_CUDNN_CHECK(cudnnSetTensor4dDescriptor(plan->x, CUDNN_TENSOR_NHWC, data, to_int(s.n, "N"), to_int(s.c, "C"),
                                            to_int(s.h, "H"), to_int(s.w, "W")));
  TL_CUDNN_CHECK(cudnnSetFilter4dDescriptor(plan->w, data, CUDNN_TENSOR_NHWC, to_int(s.k, "K"), to_int(s.c, "C"),
                                            to_int(s.r, "R"), to_int(s.s, "S")));
  const int pad = static_cast<int>(s.padding), stride = to_int(s.stride, "stride");
  TL_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(plan->conv, pad, pad, stride, stride, 1, 1, CUDNN_CROSS_CORRELATION,
                                                 CUDNN_DATA_FLOAT));
  // Where our conv2d() falls back to FP32 (v3 cannot run: C % 4 / C % 8 != 0), so does cuDNN.
  if (precision != Precision::fp32 && !conv2d_mma_supports(s, precision)) precision = Precision::fp32;
  const cudnnMathType_t math = precision == Precision::fp32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH;
  TL_CUDNN_CHECK(cudnnSetConvolutionMathType(plan->conv, math));
  int n = 0, c = 0, h = 0, w = 0;
  TL_CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(plan->conv, plan->x, plan->w, &n, &c, &h, &w));
  TL_CHECK(n == s.n && c == s.k && h == s.out_h() && w == s.out_w(),
           "conv2d_cudnn: cuDNN's output shape (" << n << ", " << c << ", " << h << ", " << w << ") differs from ours");
  TL_CUDNN_CHECK(cudnnSetTensor4dDescriptor(plan->y, CUDNN_TENSOR_NHWC, data, n, c, h, w));

  int count = 0;
  TL_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithmMaxCount(handle, &count));
  std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(static_cast<size_t>(count));
  int returned = 0;
  TL_CUDNN_CHECK(cudnnFindConvolutionForwardAlgorithm(handle, plan->x, plan->w, plan->conv, plan->y, count, &returned,
                                                      perf.data()));
  // Results come fastest first; fp32 must not silently use TF32 tensor cores.
  for (int i = 0; i < returned; ++i) {
    const auto& p = perf[static_cast<size_t>(i)];
    if (p.status != CUDNN_STATUS_SUCCESS) continue;
    const bool tensor_cores = p.mathType == CUDNN_TENSOR_OP_MATH || p.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
    if (precision == Precision::fp32 && tensor_cores) continue;
    plan->algo = p.algo;
    plan->workspace_bytes = p.memory;
    // fp32 keeps FMA math on the descriptor; otherwise run the algorithm as it was timed.
    if (precision != Precision::fp32) TL_CUDNN_CHECK(cudnnSetConvolutionMathType(plan->conv, p.mathType));
    return plan;
  }
  TL_FAIL("conv2d_cudnn: cuDNN found no algorithm for N " << s.n << " H " << s.h << " W " << s.w << " C " << s.c
                                                          << " K " << s.k << " R " << s.r << " stride " << s.stride
                                                          << " in " << precision_name(precision));
}

}  // namespace

void conv2d_cudnn(const Conv2dShape& s, const ConvOperands& op, const ConvEpilogue& e, Precision precision,
                  cudaStream_t stream) {
  TL_CHECK(s.valid(), "conv2d_cudnn: invalid shape");
  const int device = current_device();
  DeviceState& dev = device_state(device);
  TL_CUDNN_CHECK(cudnnSetStream(dev.handle, stream));
  const PlanKey key{device, s.n, s.h, s.w, s.c, s.k, s.r, s.s, s.stride, s.padding, static_cast<int>(precision)};
  auto& slot = state().plans[key];
  if (!slot) slot = make_plan(dev.handle, s, precision);
  const ConvPlan& plan = *slot;

  void* workspace = plan.workspace_bytes ? dev.workspace.get(plan.workspace_bytes) : nullptr;
  const float alpha = 1.0f, beta = 0.0f;
  const int64_t m = s.gemm_m();
  if (plan.bf16_io) {
    TL_CHECK(op.x_bf16 && op.w_bf16, "conv2d_cudnn: bf16 needs x_bf16 and w_bf16");
    auto* y16 = static_cast<bf16*>(dev.y_bf16.get(static_cast<size_t>(m * s.k) * sizeof(bf16)));
    TL_CUDNN_CHECK(cudnnConvolutionForward(dev.handle, &alpha, plan.x, op.x_bf16, plan.w, op.w_bf16, plan.conv,
                                           plan.algo, workspace, plan.workspace_bytes, &beta, plan.y, y16));
    apply_epilogue_from_bf16(y16, op.y, m, s.k, e, stream);
  } else {
    TL_CUDNN_CHECK(cudnnConvolutionForward(dev.handle, &alpha, plan.x, op.x, plan.w, op.w, plan.conv, plan.algo,
                                           workspace, plan.workspace_bytes, &beta, plan.y, op.y));
    apply_epilogue(op.y, m, s.k, e, stream);
  }
}

}  // namespace tl::cuda
#endif  // TL_EMULATE_CUDA
