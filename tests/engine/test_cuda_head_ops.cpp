// The head-training ops have no CUDA kernels yet: a CUDA tensor must be a clear tl::Error.
#include <gtest/gtest.h>

#include <string>

#include "engine/ops_training.h"
#include "tests/common/gpu.h"

namespace tl {
namespace {

TEST(CudaHeadOps, NotImplementedYetIsAClearError) {
  TL_REQUIRE_GPU();
  const Tensor x = Tensor::zeros({2, 3}, DType::f32, Device::cuda());
  try {
    softmax(x);
    FAIL() << "expected tl::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not implemented on CUDA yet"), std::string::npos) << e.what();
  }
  EXPECT_THROW(linear_forward(x, x, Tensor::zeros({2}, DType::f32, Device::cuda())), Error);
}

}  // namespace
}  // namespace tl
