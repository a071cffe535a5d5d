// Optimizer: SGD (momentum, dampening, Nesterov, L2 weight decay) and AdamW (decoupled weight
// decay, bias correction), with PyTorch's update formulas (kernels/common/optimizer_math.h).
// The learning rate is passed to each step, so that a schedule (engine/lr_schedule.h) drives it.
//
//   Optimizer opt(OptimizerConfig::sgd(0.01f, 0.9f), head.parameters());
//   head.backward(dlogits); opt.step(lr);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/head.h"

namespace tl {

enum class OptimizerKind { sgd, adamw };
OptimizerKind parse_optimizer_kind(const std::string& name);  // "sgd" | "adamw"

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::sgd;
  float lr = 0.01f;           // the base learning rate (the schedule scales it)
  float weight_decay = 0.0f;  // SGD: L2 added to the gradient; AdamW: decoupled p *= 1 - lr*wd
  // SGD
  float momentum = 0.0f;
  float dampening = 0.0f;
  bool nesterov = false;
  // AdamW
  float beta1 = 0.9f, beta2 = 0.999f;
  float eps = 1e-8f;

  static OptimizerConfig sgd(float lr, float momentum = 0.0f, float weight_decay = 0.0f,
                             bool nesterov = false);
  static OptimizerConfig adamw(float lr, float weight_decay = 0.01f, float beta1 = 0.9f, float beta2 = 0.999f,
                               float eps = 1e-8f);
};

class Optimizer {
 public:
  Optimizer(const OptimizerConfig& config, std::vector<Parameter> params);

  void step(float lr);  // one update of every parameter from its current gradient
  int64_t steps_taken() const { return steps_; }
  const OptimizerConfig& config() const { return config_; }

 private:
  OptimizerConfig config_;
  std::vector<Parameter> params_;
  std::vector<Tensor> state1_, state2_;  // SGD: momentum buffer; AdamW: exp_avg, exp_avg_sq
  int64_t steps_ = 0;
};

}  // namespace tl
