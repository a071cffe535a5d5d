#include "engine/standardize.h"

#include <cmath>

namespace tl {
namespace {

void require_features(const Tensor& x, const char* op) {
  TL_CHECK(x.defined() && x.rank() == 2 && x.dtype() == DType::f32 && x.device().is_cpu(),
           op << ": expects f32 (N, F) features on the CPU, got " << (x.defined() ? x.summary(0) : "undefined"));
}

}  // namespace

Standardization Standardization::fit(const Tensor& x) {
  require_features(x, "Standardization::fit");
  const int64_t n = x.dim(0), f = x.dim(1);
  TL_CHECK(n > 0, "Standardization::fit: no rows");
  Standardization s;
  s.mean.assign(static_cast<size_t>(f), 0.0);
  s.std.assign(static_cast<size_t>(f), 0.0);
  const float* v = x.data<float>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < f; ++j) s.mean[j] += v[i * f + j];
  for (double& m : s.mean) m /= static_cast<double>(n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < f; ++j) {
      const double d = v[i * f + j] - s.mean[j];
      s.std[j] += d * d;
    }
  for (double& sd : s.std) sd = std::sqrt(sd / static_cast<double>(n)) + 1e-6;
  return s;
}

Tensor Standardization::apply(const Tensor& x) const {
  require_features(x, "Standardization::apply");
  const int64_t n = x.dim(0), f = x.dim(1);
  TL_CHECK(static_cast<size_t>(f) == mean.size(),
           "Standardization::apply: statistics of " << mean.size() << " features, got " << x.shape().str());
  Tensor out = Tensor::empty(x.shape(), DType::f32);
  const float* v = x.data<float>();
  float* z = out.data<float>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < f; ++j) z[i * f + j] = static_cast<float>((v[i * f + j] - mean[j]) / std[j]);
  return out;
}

void Standardization::fold_into(Head& head) const {
  std::vector<Parameter> params = head.parameters();  // "0.weight" (O, F), "0.bias" (O) first
  const Tensor w = params[0].value.to(Device::cpu()), b = params[1].value.to(Device::cpu());
  const int64_t out = w.dim(0), f = w.dim(1);
  TL_CHECK(static_cast<size_t>(f) == mean.size(),
           "Standardization::fold_into: statistics of " << mean.size() << " features, the head takes " << f);
  std::vector<float> w_raw(static_cast<size_t>(out * f)), b_raw(static_cast<size_t>(out));
  const float* wv = w.data<float>();
  const float* bv = b.data<float>();
  for (int64_t o = 0; o < out; ++o) {
    double shift = 0;
    for (int64_t i = 0; i < f; ++i) {
      const double scaled = wv[o * f + i] / std[i];
      w_raw[o * f + i] = static_cast<float>(scaled);
      shift += scaled * mean[i];
    }
    b_raw[o] = static_cast<float>(bv[o] - shift);
  }
  params[0].value.copy_from(Tensor::from_vector(w_raw, w.shape()));
  params[1].value.copy_from(Tensor::from_vector(b_raw, b.shape()));
}

}  // namespace tl
