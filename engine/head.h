// Head: the new classifier trained on top of a frozen backbone's features.
//   linear: features (N, F) -> Linear(F, K) -> logits (N, K)
//   mlp:    features (N, F) -> Linear(F, H) -> ReLU -> Dropout(p) -> Linear(H, K) -> logits
// Parameters are named like the state_dict of the equivalent nn.Sequential ("0.weight",
// "0.bias", and "3.weight", "3.bias" for the MLP's second Linear), so a checkpoint reads
// straight into PyTorch.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/layers.h"

namespace tl {

enum class HeadKind { linear, mlp };
const char* head_kind_name(HeadKind kind);  // "linear" | "mlp"
HeadKind parse_head_kind(const std::string& name);

struct HeadConfig {
  HeadKind kind = HeadKind::linear;
  int64_t in_features = 0;  // F, the backbone's feature size
  int64_t hidden = 512;     // H (mlp only)
  int64_t num_classes = 0;  // K
  float dropout = 0.0f;     // p (mlp only)
  uint64_t seed = 0;        // initialisation (and dropout mask) seed
};

// A trainable tensor and its gradient (handles sharing the layer's storage).
struct Parameter {
  std::string name;
  Tensor value;
  Tensor grad;
};

class Head {
 public:
  explicit Head(const HeadConfig& config);

  const HeadConfig& config() const { return config_; }
  // Moves the parameters and gradients to `device` (created on the CPU, seeded); an Optimizer
  // made afterwards keeps its state there too.
  void to(Device device);
  Device device() const;
  // On CUDA: the linear layers' GEMMs are ours (default) or cuBLAS's (KernelLib::vendor).
  void set_kernel_lib(KernelLib lib);
  Tensor forward(const Tensor& features, bool training);  // features (N, F) -> logits (N, K)
  void backward(const Tensor& dlogits);                   // fills every parameter's grad
  std::vector<Parameter> parameters();
  const DropoutLayer* dropout() const { return dropout_ ? &*dropout_ : nullptr; }  // mlp only
  // Copies values into the parameters by name; every parameter must be given, shapes must match.
  void load_parameters(const std::vector<std::pair<std::string, Tensor>>& values);

 private:
  HeadConfig config_;
  std::unique_ptr<LinearLayer> fc1_;  // the only layer of a linear head
  std::optional<ReluLayer> relu_;
  std::optional<DropoutLayer> dropout_;
  std::unique_ptr<LinearLayer> fc2_;
};

}  // namespace tl
