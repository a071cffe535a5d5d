#include "engine/preprocessing.h"

#include <sstream>

#include "kernels/common/error.h"

namespace tl {

Preprocessing Preprocessing::from_preset(const std::string& name) {
  if (name == "torchvision") return {name, NormalizeParams::torchvision()};
  if (name == "caffe") return {name, NormalizeParams::caffe()};
  if (name == "tf") return {name, NormalizeParams::tf()};
  TL_FAIL("unknown preprocessing preset '" << name << "' (expected torchvision, caffe or tf)");
}

Preprocessing Preprocessing::custom(const float mean[3], const float std[3]) {
  Preprocessing p{"custom", NormalizeParams{false, 1.0f / 255.0f, {mean[0], mean[1], mean[2]}, {std[0], std[1], std[2]}}};
  for (int c = 0; c < 3; ++c) TL_CHECK(std[c] > 0, "custom preprocessing: std[" << c << "] must be > 0, got " << std[c]);
  return p;
}

std::string Preprocessing::describe() const {
  std::ostringstream out;
  out << preset << " (" << (params.bgr ? "BGR" : "RGB") << ", x" << params.scale << ", mean " << params.mean[0] << " "
      << params.mean[1] << " " << params.mean[2] << ", std " << params.std[0] << " " << params.std[1] << " "
      << params.std[2] << ")";
  return out.str();
}

bool Preprocessing::operator==(const Preprocessing& o) const {
  if (preset != o.preset || params.bgr != o.params.bgr || params.scale != o.params.scale) return false;
  for (int c = 0; c < 3; ++c)
    if (params.mean[c] != o.params.mean[c] || params.std[c] != o.params.std[c]) return false;
  return true;
}

}  // namespace tl
