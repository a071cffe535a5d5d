// to_device: the frozen ResNet's weights uploaded once, so a forward pass on the GPU moves
// only activations. See engine/resnet.h.
#include "engine/ops.h"
#include "engine/resnet.h"

namespace tl {
namespace {

Tensor moved(const Tensor& t, Device device) { return t.defined() ? t.to(device) : Tensor(); }

}  // namespace

ResNet to_device(const ResNet& net, Device device, Precision precision) {
  ResNet out = net;  // Tensor copies share storage: the unfolded parameters stay where they are
  for (ConvUnit* unit : conv_units(out)) {
    TL_CHECK(unit->folded_weight.defined() && unit->folded_bias.defined(),
             "to_device: conv '" << unit->name << "' has no folded weights (call fold_all_batchnorms first)");
    unit->folded_weight = unit->folded_weight.to(device);
    unit->folded_bias = unit->folded_bias.to(device);
    unit->folded_weight_bf16 = precision == Precision::bf16 ? to_bf16(unit->folded_weight) : Tensor();
  }
  out.fc_weight = moved(net.fc_weight, device);
  out.fc_bias = moved(net.fc_bias, device);
  return out;
}

}  // namespace tl
