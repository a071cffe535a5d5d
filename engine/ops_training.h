// The op layer of head training: fully connected forward/backward, ReLU backward, dropout,
// softmax cross-entropy, softmax, row gather and the optimizer steps. Like engine/ops.h, each
// op checks dtype, shape and device and dispatches to a backend; all tensors are contiguous.
//
// Backends: the CPU reference (kernels/cpu/{linear,dropout,softmax_cross_entropy,optimizer,
// gather}) and our CUDA kernels (kernels/cuda/{linear,dropout,softmax_cross_entropy,optimizer,
// gather}.cu) behind the same signatures; the linear layer's GEMMs can be cuBLAS's instead
// (KernelLib::vendor), the baseline ours are measured against.
//
// Letters: N rows (batch), I input features, O output features, C classes.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/ops.h"
#include "engine/tensor.h"
#include "kernels/common/optimizer_math.h"

namespace tl {

// y (N, O) = x (N, I) w^T + b, with w (O, I), b (O). `lib` picks the GEMM on CUDA.
Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, KernelLib lib = KernelLib::ours);
// Overwrites dw (O, I) and db (O); writes dx (N, I) when dx is not null (allocating it if undefined).
void linear_backward(const Tensor& x, const Tensor& w, const Tensor& dy, Tensor* dx, Tensor& dw, Tensor& db,
                     KernelLib lib = KernelLib::ours);

// dx = dy where y > 0, else 0; y is the ReLU's output.
Tensor relu_backward(const Tensor& y, const Tensor& dy);

// Inverted dropout with a counter-based mask (element i kept when uniform(seed, offset + i) >= p);
// mask (u8, same shape as x) receives 1 for kept elements. 0 <= p < 1.
Tensor dropout_forward(const Tensor& x, float p, uint64_t seed, uint64_t offset, Tensor& mask);
Tensor dropout_backward(const Tensor& dy, const Tensor& mask, float p);

struct CrossEntropyOptions {
  float label_smoothing = 0.0f;      // in [0, 1]; PyTorch's definition
  std::vector<float> class_weights;  // empty, or one weight >= 0 per class (PyTorch's weighted mean)
};

// Mean softmax cross-entropy of logits (N, C) f32 against labels (N) i32; writes the gradient
// with respect to the logits into *dlogits (N, C) when not null (allocating it if undefined).
float softmax_cross_entropy(const Tensor& logits, const Tensor& labels, const CrossEntropyOptions& options,
                            Tensor* dlogits = nullptr);

// The same loss, left where it was computed: on a GPU nothing waits for it until value() is
// called (head training reads an epoch's losses at the end of the epoch, so the host never
// waits inside a batch). On the CPU the value is there at once. value() reports bad labels and
// all-zero class weights as the op does (tl::Error), only later.
class PendingLoss {
 public:
  PendingLoss() = default;
  explicit PendingLoss(float known) : host_value_(known) {}  // a loss already on the host
  float value() const;

 private:
  friend PendingLoss softmax_cross_entropy_pending(const Tensor&, const Tensor&, const CrossEntropyOptions&,
                                                   Tensor*);
  float host_value_ = 0.0f;
  Tensor device_result_;  // a cuda::CrossEntropyResult on the device, or undefined (CPU)
  int64_t classes_ = 0;
};
PendingLoss softmax_cross_entropy_pending(const Tensor& logits, const Tensor& labels,
                                          const CrossEntropyOptions& options, Tensor* dlogits = nullptr);

// probs (N, C) = row-wise softmax of logits (N, C).
Tensor softmax(const Tensor& logits);

// y (N, ...) = rows indices[i] of x (R, ...), on the CPU (x on the CPU; indices checked).
Tensor gather_rows(const Tensor& x, const std::vector<int64_t>& indices);
// The same with the indices as an i32 tensor (N) on x's device, so that a GPU gathers a
// mini-batch without a host round trip. On the CPU an index outside [0, R) is a tl::Error; on
// a GPU it cannot be checked without synchronising, so its row comes out as 0xFF bytes (NaN,
// or -1 as a label), which the loss reports (kernels/cuda/gather.h).
Tensor gather_rows(const Tensor& x, const Tensor& indices);

// One optimizer step on a parameter (any shape, f32) given its gradient and state tensors.
void sgd_step(Tensor& param, const Tensor& grad, Tensor* momentum_buffer, const SgdHyper& hyper);
void adamw_step(Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq,
                const AdamWHyper& hyper);

}  // namespace tl
