// Per-element update rules of the optimizers, shared by the CPU reference and the CUDA
// kernels. They follow PyTorch's single-tensor implementations (torch/optim/sgd.py and
// adamw.py) operation by operation, so that trajectories match PyTorch's to rounding.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/common/host_device.h"

namespace tl {

struct SgdHyper {
  float lr = 0.01f;
  float momentum = 0.0f;
  float dampening = 0.0f;
  float weight_decay = 0.0f;
  bool nesterov = false;
  bool first_step = true;  // the momentum buffer is initialised to the gradient on the first step
};

// Bias corrections are computed on the host in double (as PyTorch does in Python floats)
// and passed in: step_size = lr / (1 - beta1^t), bias_correction2_sqrt = sqrt(1 - beta2^t).
struct AdamWHyper {
  float lr = 1e-3f;
  float beta1 = 0.9f, beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.01f;
  float step_size = 1e-3f;
  float bias_correction2_sqrt = 1.0f;
};

namespace math {

// SGD (torch.optim.SGD): d = g + wd*p; buf = d (first step) or momentum*buf + (1-dampening)*d;
// d = d + momentum*buf (Nesterov) or buf; p -= lr*d.
TL_HD void sgd_update(float& param, float grad, float& buf, const SgdHyper& h) {
  float d = grad;
  if (h.weight_decay != 0.0f) d = d + h.weight_decay * param;
  if (h.momentum != 0.0f) {
    buf = h.first_step ? d : buf * h.momentum + (1.0f - h.dampening) * d;
    d = h.nesterov ? d + h.momentum * buf : buf;
  }
  param = param - h.lr * d;
}

// AdamW (torch.optim.AdamW): decoupled decay p *= 1 - lr*wd; m = lerp(m, g, 1-beta1);
// v = beta2*v + (1-beta2)*g*g; p -= step_size * m / (sqrt(v)/sqrt(bc2) + eps).
TL_HD void adamw_update(float& param, float grad, float& m, float& v, const AdamWHyper& h) {
  param = param * (1.0f - h.lr * h.weight_decay);
  m = m + (1.0f - h.beta1) * (grad - m);
  v = v * h.beta2 + (1.0f - h.beta2) * grad * grad;
  const float denom = sqrtf(v) / h.bias_correction2_sqrt + h.eps;
  param = param - h.step_size * (m / denom);
}

}  // namespace math
}  // namespace tl
