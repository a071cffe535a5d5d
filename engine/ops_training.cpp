// Dispatch of the head-training ops (see ops_training.h). CPU only for now.
#include "engine/ops_training.h"

#include <cmath>

#include "kernels/cpu/dropout.h"
#include "kernels/cpu/gather.h"
#include "kernels/cpu/linear.h"
#include "kernels/cpu/optimizer.h"
#include "kernels/cpu/softmax_cross_entropy.h"

namespace tl {
namespace {

void require(const Tensor& t, DType dtype, const char* op, const char* name) {
  TL_CHECK(t.defined(), op << ": " << name << " is undefined");
  TL_CHECK(t.dtype() == dtype,
           op << ": " << name << " must be " << dtype_name(dtype) << ", got " << dtype_name(t.dtype()));
  TL_CHECK(t.device().is_cpu(), op << ": not implemented on CUDA yet (" << name << " is on " << t.device()
                                   << "); move the tensors to the CPU with .to(Device::cpu())");
}

void require_shape(const Tensor& t, const Shape& expected, const char* op, const char* name) {
  TL_CHECK(t.shape() == expected,
           op << ": " << name << " is " << t.shape().str() << ", expected " << expected.str());
}

void require_matrix(const Tensor& t, const char* op, const char* name) {
  TL_CHECK(t.rank() == 2, op << ": " << name << " must be a matrix, got " << t.shape().str());
}

}  // namespace

Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b) {
  const char* op = "linear_forward";
  require(x, DType::f32, op, "x"), require(w, DType::f32, op, "w"), require(b, DType::f32, op, "b");
  require_matrix(x, op, "x"), require_matrix(w, op, "w");
  TL_CHECK(x.dim(1) == w.dim(1), op << ": x is " << x.shape().str() << " but w is " << w.shape().str()
                                    << " (expected (O, " << x.dim(1) << "))");
  require_shape(b, {w.dim(0)}, op, "b");
  Tensor y = Tensor::empty({x.dim(0), w.dim(0)}, DType::f32);
  cpu::linear_forward(x.data<float>(), w.data<float>(), b.data<float>(), y.data<float>(), x.dim(0), x.dim(1),
                      w.dim(0));
  return y;
}

void linear_backward(const Tensor& x, const Tensor& w, const Tensor& dy, Tensor* dx, Tensor& dw, Tensor& db) {
  const char* op = "linear_backward";
  require(x, DType::f32, op, "x"), require(w, DType::f32, op, "w"), require(dy, DType::f32, op, "dy");
  require_matrix(x, op, "x"), require_matrix(w, op, "w");
  const int64_t n = x.dim(0), in = x.dim(1), out = w.dim(0);
  require_shape(w, {out, in}, op, "w");
  require_shape(dy, {n, out}, op, "dy");
  require(dw, DType::f32, op, "dw"), require(db, DType::f32, op, "db");
  require_shape(dw, {out, in}, op, "dw"), require_shape(db, {out}, op, "db");
  float* dx_data = nullptr;
  if (dx != nullptr) {
    if (!dx->defined()) *dx = Tensor::empty({n, in}, DType::f32);
    require(*dx, DType::f32, op, "dx"), require_shape(*dx, {n, in}, op, "dx");
    dx_data = dx->data<float>();
  }
  cpu::linear_backward(x.data<float>(), w.data<float>(), dy.data<float>(), dx_data, dw.data<float>(),
                       db.data<float>(), n, in, out);
}

Tensor relu_backward(const Tensor& y, const Tensor& dy) {
  require(y, DType::f32, "relu_backward", "y"), require(dy, DType::f32, "relu_backward", "dy");
  require_shape(dy, y.shape(), "relu_backward", "dy");
  Tensor dx = Tensor::empty(y.shape(), DType::f32);
  cpu::relu_backward(y.data<float>(), dy.data<float>(), dx.data<float>(), y.numel());
  return dx;
}

Tensor dropout_forward(const Tensor& x, float p, uint64_t seed, uint64_t offset, Tensor& mask) {
  require(x, DType::f32, "dropout_forward", "x");
  TL_CHECK(p >= 0.0f && p < 1.0f, "dropout_forward: p must be in [0, 1), got " << p);
  mask = Tensor::empty(x.shape(), DType::u8);
  Tensor y = Tensor::empty(x.shape(), DType::f32);
  cpu::dropout_forward(x.data<float>(), y.data<float>(), mask.data<uint8_t>(), x.numel(), p, seed, offset);
  return y;
}

Tensor dropout_backward(const Tensor& dy, const Tensor& mask, float p) {
  require(dy, DType::f32, "dropout_backward", "dy"), require(mask, DType::u8, "dropout_backward", "mask");
  require_shape(mask, dy.shape(), "dropout_backward", "mask");
  TL_CHECK(p >= 0.0f && p < 1.0f, "dropout_backward: p must be in [0, 1), got " << p);
  Tensor dx = Tensor::empty(dy.shape(), DType::f32);
  cpu::dropout_backward(dy.data<float>(), mask.data<uint8_t>(), dx.data<float>(), dy.numel(), p);
  return dx;
}

float softmax_cross_entropy(const Tensor& logits, const Tensor& labels, const CrossEntropyOptions& options,
                            Tensor* dlogits) {
  const char* op = "softmax_cross_entropy";
  require(logits, DType::f32, op, "logits"), require(labels, DType::i32, op, "labels");
  require_matrix(logits, op, "logits");
  const int64_t n = logits.dim(0), c = logits.dim(1);
  TL_CHECK(n > 0 && c > 0, op << ": logits " << logits.shape().str() << " must have rows and classes");
  require_shape(labels, {n}, op, "labels");
  TL_CHECK(options.label_smoothing >= 0.0f && options.label_smoothing <= 1.0f,
           op << ": label_smoothing must be in [0, 1], got " << options.label_smoothing);
  const int32_t* y = labels.data<int32_t>();
  for (int64_t i = 0; i < n; ++i)
    TL_CHECK(y[i] >= 0 && y[i] < c,
             op << ": label " << y[i] << " at row " << i << " is outside [0, " << c << ")");
  const float* weights = nullptr;
  if (!options.class_weights.empty()) {
    TL_CHECK(static_cast<int64_t>(options.class_weights.size()) == c,
             op << ": " << options.class_weights.size() << " class weights for " << c << " classes");
    for (int64_t k = 0; k < c; ++k) {
      const float w = options.class_weights[k];
      TL_CHECK(w >= 0.0f && std::isfinite(w),
               op << ": class weight " << k << " is " << w << ", expected finite >= 0");
    }
    double total = 0;  // W of the mean; 0 would divide by zero
    for (int64_t i = 0; i < n; ++i) total += options.class_weights[y[i]];
    TL_CHECK(total > 0, op << ": the labels of this batch all have class weight 0");
    weights = options.class_weights.data();
  }
  float* dz = nullptr;
  if (dlogits != nullptr) {
    if (!dlogits->defined()) *dlogits = Tensor::empty(logits.shape(), DType::f32);
    require(*dlogits, DType::f32, op, "dlogits"), require_shape(*dlogits, logits.shape(), op, "dlogits");
    dz = dlogits->data<float>();
  }
  return cpu::softmax_cross_entropy<float>(logits.data<float>(), y, weights, n, c, options.label_smoothing,
                                           dz);
}

Tensor softmax(const Tensor& logits) {
  require(logits, DType::f32, "softmax", "logits"), require_matrix(logits, "softmax", "logits");
  Tensor probs = Tensor::empty(logits.shape(), DType::f32);
  if (logits.dim(1) > 0)
    cpu::softmax_rows<float>(logits.data<float>(), probs.data<float>(), logits.dim(0), logits.dim(1));
  return probs;
}

Tensor gather_rows(const Tensor& x, const std::vector<int64_t>& indices) {
  TL_CHECK(x.defined() && x.rank() >= 1, "gather_rows: x must be a defined tensor of rank >= 1");
  TL_CHECK(x.device().is_cpu(), "gather_rows: not implemented on CUDA yet (x is on " << x.device() << ")");
  for (size_t i = 0; i < indices.size(); ++i)
    TL_CHECK(indices[i] >= 0 && indices[i] < x.dim(0),
             "gather_rows: index " << indices[i] << " at " << i << " is outside [0, " << x.dim(0) << ")");
  std::vector<int64_t> dims = x.shape().dims();
  dims[0] = static_cast<int64_t>(indices.size());
  Tensor y = Tensor::empty(Shape(dims), x.dtype());
  const int64_t row_bytes = x.dim(0) == 0 ? 0 : static_cast<int64_t>(x.nbytes()) / x.dim(0);
  cpu::gather_rows(x.raw_data(), indices.data(), y.raw_data(), static_cast<int64_t>(indices.size()),
                   row_bytes);
  return y;
}

void sgd_step(Tensor& param, const Tensor& grad, Tensor* momentum_buffer, const SgdHyper& hyper) {
  require(param, DType::f32, "sgd_step", "param"), require(grad, DType::f32, "sgd_step", "grad");
  require_shape(grad, param.shape(), "sgd_step", "grad");
  float* buf = nullptr;
  if (hyper.momentum != 0.0f) {
    TL_CHECK(momentum_buffer != nullptr,
             "sgd_step: momentum " << hyper.momentum << " needs a momentum buffer");
    require(*momentum_buffer, DType::f32, "sgd_step", "momentum_buffer");
    require_shape(*momentum_buffer, param.shape(), "sgd_step", "momentum_buffer");
    buf = momentum_buffer->data<float>();
  }
  cpu::sgd_step(param.data<float>(), grad.data<float>(), buf, param.numel(), hyper);
}

void adamw_step(Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq,
                const AdamWHyper& hyper) {
  require(param, DType::f32, "adamw_step", "param"), require(grad, DType::f32, "adamw_step", "grad");
  require(exp_avg, DType::f32, "adamw_step", "exp_avg"),
      require(exp_avg_sq, DType::f32, "adamw_step", "exp_avg_sq");
  for (const Tensor* t :
       {&grad, static_cast<const Tensor*>(&exp_avg), static_cast<const Tensor*>(&exp_avg_sq)})
    require_shape(*t, param.shape(), "adamw_step", "state");
  cpu::adamw_step(param.data<float>(), grad.data<float>(), exp_avg.data<float>(), exp_avg_sq.data<float>(),
                  param.numel(), hyper);
}

}  // namespace tl
