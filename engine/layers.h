// The layers of a classification head, each with an explicit forward and backward that
// saves exactly what its backward needs (no autograd).
//   x: (N, I) input rows   y: (N, O) output rows
#pragma once

#include <cstdint>

#include "engine/ops.h"
#include "engine/random.h"
#include "engine/tensor.h"

namespace tl {

// Fully connected layer, like PyTorch's nn.Linear: y = x w^T + b, w (O, I), b (O).
// Initialised as nn.Linear.reset_parameters does: kaiming_uniform(a = sqrt(5)) for w, which
// is U(-1/sqrt(I), 1/sqrt(I)), and the same bound for b; drawn from `rng` (w row-major, then b).
class LinearLayer {
 public:
  LinearLayer(int64_t in_features, int64_t out_features, Rng& rng);

  Tensor forward(const Tensor& x);  // saves x
  // Fills grad_weight and grad_bias (overwritten); returns dx (N, I) when need_dx.
  Tensor backward(const Tensor& dy, bool need_dx);
  void to(Device device);  // weights and gradients
  // On CUDA: our GEMMs (default) or cuBLAS's, the baseline (KernelLib::vendor).
  void set_kernel_lib(KernelLib lib) { lib_ = lib; }

  Tensor weight, bias;            // (O, I), (O)
  Tensor grad_weight, grad_bias;  // same shapes

 private:
  Tensor saved_x_;
  KernelLib lib_ = KernelLib::ours;
};

// y = max(x, 0); keeps y for the backward.
class ReluLayer {
 public:
  Tensor forward(const Tensor& x);
  Tensor backward(const Tensor& dy);

 private:
  Tensor saved_y_;
};

// Inverted dropout: in training each element is zeroed with probability p and the rest are
// scaled by 1/(1-p); in evaluation it is the identity. Each training forward draws a new mask
// (the counter advances by the element count), from the layer's seed.
class DropoutLayer {
 public:
  DropoutLayer(float p, uint64_t seed);
  Tensor forward(const Tensor& x, bool training);
  Tensor backward(const Tensor& dy);
  float p() const { return p_; }
  // The mask of the last training forward (u8, 1 = kept), undefined before one.
  const Tensor& last_mask() const { return saved_mask_; }

 private:
  float p_;
  uint64_t seed_;
  uint64_t offset_ = 0;
  bool saved_training_ = false;
  Tensor saved_mask_;
};

}  // namespace tl
