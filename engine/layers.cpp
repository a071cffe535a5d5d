#include "engine/layers.h"

#include <cmath>
#include <vector>

#include "engine/ops.h"
#include "engine/ops_training.h"

namespace tl {

LinearLayer::LinearLayer(int64_t in_features, int64_t out_features, Rng& rng) {
  TL_CHECK(in_features > 0 && out_features > 0,
           "LinearLayer: sizes must be positive, got in " << in_features << ", out " << out_features);
  const float bound = static_cast<float>(1.0 / std::sqrt(static_cast<double>(in_features)));
  std::vector<float> w(static_cast<size_t>(in_features * out_features)), b(static_cast<size_t>(out_features));
  for (float& v : w) v = rng.uniform(-bound, bound);
  for (float& v : b) v = rng.uniform(-bound, bound);
  weight = Tensor::from_vector(w, {out_features, in_features});
  bias = Tensor::from_vector(b, {out_features});
  grad_weight = Tensor::zeros(weight.shape(), DType::f32);
  grad_bias = Tensor::zeros(bias.shape(), DType::f32);
}

Tensor LinearLayer::forward(const Tensor& x) {
  saved_x_ = x;
  return linear_forward(x, weight, bias, lib_);
}

Tensor LinearLayer::backward(const Tensor& dy, bool need_dx) {
  TL_CHECK(saved_x_.defined(), "LinearLayer::backward called before forward");
  Tensor dx;
  linear_backward(saved_x_, weight, dy, need_dx ? &dx : nullptr, grad_weight, grad_bias, lib_);
  return dx;
}

void LinearLayer::to(Device device) {
  weight = weight.to(device), bias = bias.to(device);
  grad_weight = grad_weight.to(device), grad_bias = grad_bias.to(device);
  saved_x_ = Tensor();
}

Tensor ReluLayer::forward(const Tensor& x) {
  saved_y_ = relu(x);
  return saved_y_;
}

Tensor ReluLayer::backward(const Tensor& dy) {
  TL_CHECK(saved_y_.defined(), "ReluLayer::backward called before forward");
  return relu_backward(saved_y_, dy);
}

DropoutLayer::DropoutLayer(float p, uint64_t seed) : p_(p), seed_(seed) {
  TL_CHECK(p >= 0.0f && p < 1.0f, "dropout probability must be in [0, 1), got " << p);
}

Tensor DropoutLayer::forward(const Tensor& x, bool training) {
  saved_training_ = training && p_ > 0.0f;
  if (!saved_training_) return x;
  Tensor y = dropout_forward(x, p_, seed_, offset_, saved_mask_);
  offset_ += static_cast<uint64_t>(x.numel());
  return y;
}

Tensor DropoutLayer::backward(const Tensor& dy) {
  if (!saved_training_) return dy;
  return dropout_backward(dy, saved_mask_, p_);
}

}  // namespace tl
