#include "engine/head.h"

namespace tl {

const char* head_kind_name(HeadKind kind) { return kind == HeadKind::linear ? "linear" : "mlp"; }

HeadKind parse_head_kind(const std::string& name) {
  if (name == "linear") return HeadKind::linear;
  if (name == "mlp") return HeadKind::mlp;
  TL_FAIL("unknown head kind '" << name << "' (expected linear or mlp)");
}

Head::Head(const HeadConfig& config) : config_(config) {
  TL_CHECK(config.in_features > 0, "head: in_features must be positive, got " << config.in_features);
  TL_CHECK(config.num_classes > 0, "head: num_classes must be positive, got " << config.num_classes);
  Rng rng(config.seed);
  if (config.kind == HeadKind::linear) {
    fc1_ = std::make_unique<LinearLayer>(config.in_features, config.num_classes, rng);
    return;
  }
  TL_CHECK(config.hidden > 0, "head: hidden size must be positive, got " << config.hidden);
  fc1_ = std::make_unique<LinearLayer>(config.in_features, config.hidden, rng);
  relu_.emplace();
  dropout_.emplace(config.dropout, math::splitmix64(config.seed ^ 0xD0D0ull));
  fc2_ = std::make_unique<LinearLayer>(config.hidden, config.num_classes, rng);
}

Tensor Head::forward(const Tensor& features, bool training) {
  TL_CHECK(features.rank() == 2 && features.dim(1) == config_.in_features,
           "head: expected features (N, " << config_.in_features << "), got " << features.shape().str());
  Tensor h = fc1_->forward(features);
  if (config_.kind == HeadKind::linear) return h;
  h = relu_->forward(h);
  h = dropout_->forward(h, training);
  return fc2_->forward(h);
}

void Head::to(Device device) {
  fc1_->to(device);
  if (fc2_) fc2_->to(device);
}

Device Head::device() const { return fc1_->weight.device(); }

void Head::set_kernel_lib(KernelLib lib) {
  fc1_->set_kernel_lib(lib);
  if (fc2_) fc2_->set_kernel_lib(lib);
}

void Head::backward(const Tensor& dlogits) {
  if (config_.kind == HeadKind::linear) {
    fc1_->backward(dlogits, false);  // the features are frozen: no dx needed
    return;
  }
  Tensor dh = fc2_->backward(dlogits, true);
  dh = dropout_->backward(dh);
  dh = relu_->backward(dh);
  fc1_->backward(dh, false);
}

std::vector<Parameter> Head::parameters() {
  std::vector<Parameter> params = {{"0.weight", fc1_->weight, fc1_->grad_weight},
                                   {"0.bias", fc1_->bias, fc1_->grad_bias}};
  if (fc2_) {
    params.push_back({"3.weight", fc2_->weight, fc2_->grad_weight});
    params.push_back({"3.bias", fc2_->bias, fc2_->grad_bias});
  }
  return params;
}

void Head::load_parameters(const std::vector<std::pair<std::string, Tensor>>& values) {
  for (Parameter& p : parameters()) {
    const Tensor* found = nullptr;
    for (const auto& [name, value] : values)
      if (name == p.name) found = &value;
    TL_CHECK(found != nullptr, "head: no value given for parameter '" << p.name << "'");
    TL_CHECK(found->shape() == p.value.shape() && found->dtype() == DType::f32,
             "head: parameter '" << p.name << "' expects f32 " << p.value.shape().str() << ", got "
                                 << dtype_name(found->dtype()) << " " << found->shape().str());
    p.value.copy_from(*found);
  }
}

}  // namespace tl
