// Dispatch of the head-training ops (see ops_training.h): the CPU reference, or for CUDA
// tensors our kernels (kernels/cuda/training.h). All tensors of one call on one device.
#include "engine/ops_training.h"

#include <cmath>

#include "engine/stream.h"

#include "kernels/cpu/dropout.h"
#include "kernels/cpu/gather.h"
#include "kernels/cpu/linear.h"
#include "kernels/cpu/optimizer.h"
#include "kernels/cpu/softmax_cross_entropy.h"

#if TL_HAS_CUDA
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/gather.h"
#include "kernels/cuda/training.h"
#endif

namespace tl {
namespace {

void require(const Tensor& t, DType dtype, const char* op, const char* name) {
  TL_CHECK(t.defined(), op << ": " << name << " is undefined");
  TL_CHECK(t.dtype() == dtype,
           op << ": " << name << " must be " << dtype_name(dtype) << ", got " << dtype_name(t.dtype()));
#if !TL_HAS_CUDA
  TL_CHECK(t.device().is_cpu(), op << ": this build has no CUDA backend (" << name << " is on " << t.device() << ")");
#endif
}

void require_device(const Tensor& t, const Device& device, const char* op, const char* name) {
  TL_CHECK(t.device() == device, op << ": " << name << " is on " << t.device() << ", the other inputs on " << device);
}

#if TL_HAS_CUDA
cudaStream_t stream_of(const Device& device) { return stream_for(device); }
#endif

void require_shape(const Tensor& t, const Shape& expected, const char* op, const char* name) {
  TL_CHECK(t.shape() == expected,
           op << ": " << name << " is " << t.shape().str() << ", expected " << expected.str());
}

void require_matrix(const Tensor& t, const char* op, const char* name) {
  TL_CHECK(t.rank() == 2, op << ": " << name << " must be a matrix, got " << t.shape().str());
}

}  // namespace

Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, KernelLib lib) {
  const char* op = "linear_forward";
  require(x, DType::f32, op, "x"), require(w, DType::f32, op, "w"), require(b, DType::f32, op, "b");
  require_matrix(x, op, "x"), require_matrix(w, op, "w");
  TL_CHECK(x.dim(1) == w.dim(1), op << ": x is " << x.shape().str() << " but w is " << w.shape().str()
                                    << " (expected (O, " << x.dim(1) << "))");
  require_shape(b, {w.dim(0)}, op, "b");
  require_device(w, x.device(), op, "w"), require_device(b, x.device(), op, "b");
  Tensor y = Tensor::empty({x.dim(0), w.dim(0)}, DType::f32, x.device());
#if TL_HAS_CUDA
  if (x.device().is_cuda()) {
    ScopedDevice scope(x.device());
    cuda::linear_forward(x.data<float>(), w.data<float>(), b.data<float>(), y.data<float>(), x.dim(0), x.dim(1),
                         w.dim(0), stream_of(x.device()), lib == KernelLib::vendor);
    return y;
  }
#endif
  cpu::linear_forward(x.data<float>(), w.data<float>(), b.data<float>(), y.data<float>(), x.dim(0), x.dim(1),
                      w.dim(0));
  return y;
}

void linear_backward(const Tensor& x, const Tensor& w, const Tensor& dy, Tensor* dx, Tensor& dw, Tensor& db,
                     KernelLib lib) {
  const char* op = "linear_backward";
  require(x, DType::f32, op, "x"), require(w, DType::f32, op, "w"), require(dy, DType::f32, op, "dy");
  require_matrix(x, op, "x"), require_matrix(w, op, "w");
  const int64_t n = x.dim(0), in = x.dim(1), out = w.dim(0);
  require_shape(w, {out, in}, op, "w");
  require_shape(dy, {n, out}, op, "dy");
  require(dw, DType::f32, op, "dw"), require(db, DType::f32, op, "db");
  require_shape(dw, {out, in}, op, "dw"), require_shape(db, {out}, op, "db");
  for (const auto& [t, name] : {std::pair{&w, "w"}, std::pair{&dy, "dy"}, std::pair{static_cast<const Tensor*>(&dw), "dw"},
                                std::pair{static_cast<const Tensor*>(&db), "db"}})
    require_device(*t, x.device(), op, name);
  float* dx_data = nullptr;
  if (dx != nullptr) {
    if (!dx->defined()) *dx = Tensor::empty({n, in}, DType::f32, x.device());
    require(*dx, DType::f32, op, "dx"), require_shape(*dx, {n, in}, op, "dx");
    require_device(*dx, x.device(), op, "dx");
    dx_data = dx->data<float>();
  }
#if TL_HAS_CUDA
  if (x.device().is_cuda()) {
    ScopedDevice scope(x.device());
    cuda::linear_backward(x.data<float>(), w.data<float>(), dy.data<float>(), dx_data, dw.data<float>(),
                          db.data<float>(), n, in, out, stream_of(x.device()), lib == KernelLib::vendor);
    return;
  }
#endif
  cpu::linear_backward(x.data<float>(), w.data<float>(), dy.data<float>(), dx_data, dw.data<float>(),
                       db.data<float>(), n, in, out);
}

Tensor relu_backward(const Tensor& y, const Tensor& dy) {
  require(y, DType::f32, "relu_backward", "y"), require(dy, DType::f32, "relu_backward", "dy");
  require_shape(dy, y.shape(), "relu_backward", "dy");
  require_device(dy, y.device(), "relu_backward", "dy");
  Tensor dx = Tensor::empty(y.shape(), DType::f32, y.device());
#if TL_HAS_CUDA
  if (y.device().is_cuda()) {
    ScopedDevice scope(y.device());
    cuda::relu_backward(y.data<float>(), dy.data<float>(), dx.data<float>(), y.numel(), stream_of(y.device()));
    return dx;
  }
#endif
  cpu::relu_backward(y.data<float>(), dy.data<float>(), dx.data<float>(), y.numel());
  return dx;
}

Tensor dropout_forward(const Tensor& x, float p, uint64_t seed, uint64_t offset, Tensor& mask) {
  require(x, DType::f32, "dropout_forward", "x");
  TL_CHECK(p >= 0.0f && p < 1.0f, "dropout_forward: p must be in [0, 1), got " << p);
  mask = Tensor::empty(x.shape(), DType::u8, x.device());
  Tensor y = Tensor::empty(x.shape(), DType::f32, x.device());
#if TL_HAS_CUDA
  if (x.device().is_cuda()) {
    ScopedDevice scope(x.device());
    cuda::dropout_forward(x.data<float>(), y.data<float>(), mask.data<uint8_t>(), x.numel(), p, seed, offset,
                          stream_of(x.device()));
    return y;
  }
#endif
  cpu::dropout_forward(x.data<float>(), y.data<float>(), mask.data<uint8_t>(), x.numel(), p, seed, offset);
  return y;
}

Tensor dropout_backward(const Tensor& dy, const Tensor& mask, float p) {
  require(dy, DType::f32, "dropout_backward", "dy"), require(mask, DType::u8, "dropout_backward", "mask");
  require_shape(mask, dy.shape(), "dropout_backward", "mask");
  TL_CHECK(p >= 0.0f && p < 1.0f, "dropout_backward: p must be in [0, 1), got " << p);
  require_device(mask, dy.device(), "dropout_backward", "mask");
  Tensor dx = Tensor::empty(dy.shape(), DType::f32, dy.device());
#if TL_HAS_CUDA
  if (dy.device().is_cuda()) {
    ScopedDevice scope(dy.device());
    cuda::dropout_backward(dy.data<float>(), mask.data<uint8_t>(), dx.data<float>(), dy.numel(), p,
                           stream_of(dy.device()));
    return dx;
  }
#endif
  cpu::dropout_backward(dy.data<float>(), mask.data<uint8_t>(), dx.data<float>(), dy.numel(), p);
  return dx;
}

#if TL_HAS_CUDA
namespace {

// The CUDA loss: labels stay on the device (their range is checked by the kernel and reported
// with the loss, in a cuda::CrossEntropyResult left on the device; read_cross_entropy copies it
// back and checks it).
Tensor softmax_cross_entropy_cuda(const Tensor& logits, const Tensor& labels, const CrossEntropyOptions& options,
                                  Tensor* dlogits) {
  const int64_t n = logits.dim(0), c = logits.dim(1);
  Tensor weights;
  if (!options.class_weights.empty()) {
    TL_CHECK(static_cast<int64_t>(options.class_weights.size()) == c,
             "softmax_cross_entropy: " << options.class_weights.size() << " class weights for " << c << " classes");
    weights = Tensor::from_vector(options.class_weights, {c}, logits.device());
  }
  ScopedDevice scope(logits.device());
  const auto stream = stream_of(logits.device());
  Tensor row_loss = Tensor::empty({n}, DType::f32, logits.device());
  static_assert(sizeof(cuda::CrossEntropyResult) % sizeof(float) == 0, "the result is read back as floats");
  Tensor result = Tensor::empty({static_cast<int64_t>(sizeof(cuda::CrossEntropyResult) / sizeof(float))}, DType::f32,
                                logits.device());
  auto* device_result = reinterpret_cast<cuda::CrossEntropyResult*>(result.data<float>());
  cuda::softmax_cross_entropy(logits.data<float>(), labels.data<int32_t>(),
                              weights.defined() ? weights.data<float>() : nullptr, n, c, options.label_smoothing,
                              dlogits ? dlogits->data<float>() : nullptr, row_loss.data<float>(), device_result,
                              stream);
  return result;
}

float read_cross_entropy(const Tensor& result, int64_t c) {
  cuda::CrossEntropyResult host{};
  ScopedDevice scope(result.device());
  const auto stream = stream_of(result.device());
  TL_CUDA_CHECK(cudaMemcpyAsync(&host, result.raw_data(), sizeof host, cudaMemcpyDeviceToHost, stream));
  TL_CUDA_CHECK(cudaStreamSynchronize(stream));
  TL_CHECK(host.bad_labels == 0, "softmax_cross_entropy: " << host.bad_labels << " labels are outside [0, " << c << ")");
  TL_CHECK(host.weight_total > 0, "softmax_cross_entropy: the labels of this batch all have class weight 0");
  return host.loss;
}

}  // namespace
#endif

float softmax_cross_entropy(const Tensor& logits, const Tensor& labels, const CrossEntropyOptions& options,
                            Tensor* dlogits) {
  return softmax_cross_entropy_pending(logits, labels, options, dlogits).value();
}

float PendingLoss::value() const {
#if TL_HAS_CUDA
  if (device_result_.defined()) return read_cross_entropy(device_result_, classes_);
#endif
  return host_value_;
}

PendingLoss softmax_cross_entropy_pending(const Tensor& logits, const Tensor& labels,
                                          const CrossEntropyOptions& options, Tensor* dlogits) {
  const char* op = "softmax_cross_entropy";
  PendingLoss pending;
  require(logits, DType::f32, op, "logits"), require(labels, DType::i32, op, "labels");
  require_matrix(logits, op, "logits");
  const int64_t n = logits.dim(0), c = logits.dim(1);
  TL_CHECK(n > 0 && c > 0, op << ": logits " << logits.shape().str() << " must have rows and classes");
  require_shape(labels, {n}, op, "labels");
  TL_CHECK(options.label_smoothing >= 0.0f && options.label_smoothing <= 1.0f,
           op << ": label_smoothing must be in [0, 1], got " << options.label_smoothing);
  require_device(labels, logits.device(), op, "labels");
  if (options.class_weights.size() == static_cast<size_t>(c))
    for (int64_t k = 0; k < c; ++k)
      TL_CHECK(options.class_weights[k] >= 0.0f && std::isfinite(options.class_weights[k]),
               op << ": class weight " << k << " is " << options.class_weights[k] << ", expected finite >= 0");
  if (dlogits != nullptr) {
    if (!dlogits->defined()) *dlogits = Tensor::empty(logits.shape(), DType::f32, logits.device());
    require(*dlogits, DType::f32, op, "dlogits"), require_shape(*dlogits, logits.shape(), op, "dlogits");
    require_device(*dlogits, logits.device(), op, "dlogits");
  }
  pending.classes_ = c;
#if TL_HAS_CUDA
  if (logits.device().is_cuda()) {
    pending.device_result_ = softmax_cross_entropy_cuda(logits, labels, options, dlogits);
    return pending;
  }
#endif
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
  float* dz = dlogits != nullptr ? dlogits->data<float>() : nullptr;
  pending.host_value_ =
      cpu::softmax_cross_entropy<float>(logits.data<float>(), y, weights, n, c, options.label_smoothing, dz);
  return pending;
}

Tensor softmax(const Tensor& logits) {
  require(logits, DType::f32, "softmax", "logits"), require_matrix(logits, "softmax", "logits");
  Tensor probs = Tensor::empty(logits.shape(), DType::f32, logits.device());
#if TL_HAS_CUDA
  if (logits.device().is_cuda()) {
    ScopedDevice scope(logits.device());
    cuda::softmax_rows(logits.data<float>(), probs.data<float>(), logits.dim(0), logits.dim(1),
                       stream_of(logits.device()));
    return probs;
  }
#endif
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

Tensor gather_rows(const Tensor& x, const Tensor& indices) {
  TL_CHECK(x.defined() && x.rank() >= 1, "gather_rows: x must be a defined tensor of rank >= 1");
  require(indices, DType::i32, "gather_rows", "indices");
  TL_CHECK(indices.rank() == 1, "gather_rows: indices must be (N), got " << indices.shape().str());
  require_device(indices, x.device(), "gather_rows", "indices");
  if (x.device().is_cpu()) {
    const int32_t* p = indices.data<int32_t>();
    return gather_rows(x, std::vector<int64_t>(p, p + indices.numel()));
  }
  std::vector<int64_t> dims = x.shape().dims();
  dims[0] = indices.numel();
  Tensor y = Tensor::empty(Shape(dims), x.dtype(), x.device());
#if TL_HAS_CUDA
  const int64_t row_bytes = x.dim(0) == 0 ? 0 : static_cast<int64_t>(x.nbytes()) / x.dim(0);
  ScopedDevice scope(x.device());
  cuda::gather_rows(x.raw_data(), x.dim(0), indices.data<int32_t>(), y.raw_data(), indices.numel(), row_bytes,
                    stream_of(x.device()));
#endif
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
    require_device(*momentum_buffer, param.device(), "sgd_step", "momentum_buffer");
    buf = momentum_buffer->data<float>();
  }
  require_device(grad, param.device(), "sgd_step", "grad");
#if TL_HAS_CUDA
  if (param.device().is_cuda()) {
    ScopedDevice scope(param.device());
    cuda::sgd_step(param.data<float>(), grad.data<float>(), buf, param.numel(), hyper, stream_of(param.device()));
    return;
  }
#endif
  cpu::sgd_step(param.data<float>(), grad.data<float>(), buf, param.numel(), hyper);
}

void adamw_step(Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq,
                const AdamWHyper& hyper) {
  require(param, DType::f32, "adamw_step", "param"), require(grad, DType::f32, "adamw_step", "grad");
  require(exp_avg, DType::f32, "adamw_step", "exp_avg"),
      require(exp_avg_sq, DType::f32, "adamw_step", "exp_avg_sq");
  for (const Tensor* t :
       {&grad, static_cast<const Tensor*>(&exp_avg), static_cast<const Tensor*>(&exp_avg_sq)})
    require_shape(*t, param.shape(), "adamw_step", "state"), require_device(*t, param.device(), "adamw_step", "state");
#if TL_HAS_CUDA
  if (param.device().is_cuda()) {
    ScopedDevice scope(param.device());
    cuda::adamw_step(param.data<float>(), grad.data<float>(), exp_avg.data<float>(), exp_avg_sq.data<float>(),
                     param.numel(), hyper, stream_of(param.device()));
    return;
  }
#endif
  cpu::adamw_step(param.data<float>(), grad.data<float>(), exp_avg.data<float>(), exp_avg_sq.data<float>(),
                  param.numel(), hyper);
}

}  // namespace tl
