#include "engine/optimizer.h"

#include <cmath>

#include "engine/ops_training.h"

namespace tl {

OptimizerKind parse_optimizer_kind(const std::string& name) {
  if (name == "sgd") return OptimizerKind::sgd;
  if (name == "adamw") return OptimizerKind::adamw;
  TL_FAIL("unknown optimizer '" << name << "' (expected sgd or adamw)");
}

OptimizerConfig OptimizerConfig::sgd(float lr, float momentum, float weight_decay, bool nesterov) {
  OptimizerConfig c;
  c.kind = OptimizerKind::sgd, c.lr = lr, c.momentum = momentum, c.weight_decay = weight_decay,
  c.nesterov = nesterov;
  return c;
}

OptimizerConfig OptimizerConfig::adamw(float lr, float weight_decay, float beta1, float beta2, float eps) {
  OptimizerConfig c;
  c.kind = OptimizerKind::adamw, c.lr = lr, c.weight_decay = weight_decay;
  c.beta1 = beta1, c.beta2 = beta2, c.eps = eps;
  return c;
}

Optimizer::Optimizer(const OptimizerConfig& config, std::vector<Parameter> params)
    : config_(config), params_(std::move(params)) {
  TL_CHECK(config.lr >= 0 && config.weight_decay >= 0, "optimizer: lr and weight_decay must be >= 0");
  if (config.kind == OptimizerKind::sgd) {
    TL_CHECK(config.momentum >= 0, "sgd: momentum must be >= 0, got " << config.momentum);
    TL_CHECK(!config.nesterov || (config.momentum > 0 && config.dampening == 0),
             "sgd: Nesterov momentum requires momentum > 0 and dampening 0");
  } else {
    TL_CHECK(config.beta1 >= 0 && config.beta1 < 1 && config.beta2 >= 0 && config.beta2 < 1,
             "adamw: betas must be in [0, 1), got " << config.beta1 << ", " << config.beta2);
    TL_CHECK(config.eps > 0, "adamw: eps must be > 0, got " << config.eps);
  }
  for (const Parameter& p : params_) {
    state1_.push_back(Tensor::zeros(p.value.shape(), DType::f32, p.value.device()));
    if (config.kind == OptimizerKind::adamw)
      state2_.push_back(Tensor::zeros(p.value.shape(), DType::f32, p.value.device()));
  }
}

void Optimizer::step(float lr) {
  ++steps_;
  for (size_t i = 0; i < params_.size(); ++i) {
    Parameter& p = params_[i];
    if (config_.kind == OptimizerKind::sgd) {
      SgdHyper h;
      h.lr = lr, h.momentum = config_.momentum, h.dampening = config_.dampening;
      h.weight_decay = config_.weight_decay, h.nesterov = config_.nesterov, h.first_step = steps_ == 1;
      sgd_step(p.value, p.grad, config_.momentum != 0 ? &state1_[i] : nullptr, h);
    } else {
      // As PyTorch: bias corrections in double, then used as float32 scalars.
      const double t = static_cast<double>(steps_);
      const double bias_correction1 = 1.0 - std::pow(static_cast<double>(config_.beta1), t);
      const double bias_correction2 = 1.0 - std::pow(static_cast<double>(config_.beta2), t);
      AdamWHyper h;
      h.lr = lr, h.beta1 = config_.beta1, h.beta2 = config_.beta2, h.eps = config_.eps;
      h.weight_decay = config_.weight_decay;
      h.step_size = static_cast<float>(lr / bias_correction1);
      h.bias_correction2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
      adamw_step(p.value, p.grad, state1_[i], state2_[i], h);
    }
  }
}

}  // namespace tl
