// Convolution, pooling and linear have no CUDA implementation yet: on CUDA tensors they must
// say so clearly instead of running the CPU kernel on device pointers.
#include <gtest/gtest.h>

#include <string>

#include "engine/ops.h"
#include "tests/common/gpu.h"

namespace tl {
namespace {

template <typename Fn>
void expect_not_on_cuda(Fn fn, const std::string& op) {
  try {
    fn();
    ADD_FAILURE() << op << ": no error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(op + ": not implemented on CUDA yet"), std::string::npos) << message;
  }
}

TEST(CudaConvOps, NotImplementedYetIsAClearError) {
  TL_REQUIRE_GPU();
  const Device gpu = Device::cuda(0);
  const Tensor x = Tensor::zeros({1, 8, 8, 3}, DType::f32, gpu);
  const Tensor w = Tensor::zeros({4, 3, 3, 3}, DType::f32, gpu);
  expect_not_on_cuda([&] { conv2d(x, w, Tensor(), {}); }, "conv2d");
  expect_not_on_cuda([&] { max_pool2d(x, 3, 2, 1); }, "max_pool2d");
  expect_not_on_cuda([&] { global_avg_pool(x); }, "global_avg_pool");
  expect_not_on_cuda([&] { linear(Tensor::zeros({2, 3}, DType::f32, gpu), Tensor::zeros({4, 3}, DType::f32, gpu), Tensor()); },
                     "linear");
}

}  // namespace
}  // namespace tl
