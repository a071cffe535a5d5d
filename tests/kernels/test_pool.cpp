// CPU pooling against hand-worked values, including PyTorch's -inf padding semantics.
#include <gtest/gtest.h>

#include "engine/ops.h"

namespace tl {
namespace {

TEST(CpuPool, MaxPoolPaddingNeverWins) {
  // One 3x3 channel of negative values; 3x3 window, stride 2, pad 1 -> 2x2 output. With zero
  // padding every corner would be 0; with PyTorch's semantics it is the max of real cells.
  const Tensor x = Tensor::from_vector(std::vector<float>{-1, -2, -3, -4, -5, -6, -7, -8, -9}, {1, 3, 3, 1});
  const Tensor y = max_pool2d(x, 3, 2, 1);
  EXPECT_EQ(y.shape(), (Shape{1, 2, 2, 1}));
  // (0,0): rows 0..1, cols 0..1 -> -1; (0,1): rows 0..1, cols 1..2 -> -2; (1,0): rows 1..2, cols 0..1 -> -4; (1,1): -5
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{-1, -2, -4, -5}));
}

TEST(CpuPool, MaxPoolChannelsIndependent) {
  // 2x2 image, 2 channels, kernel 2 stride 2: each channel's own max.
  const Tensor x = Tensor::from_vector(std::vector<float>{1, 8, 2, 7, 3, 6, 4, 5}, {1, 2, 2, 2});
  EXPECT_EQ(max_pool2d(x, 2, 2, 0).to_vector<float>(), (std::vector<float>{4, 8}));
  EXPECT_THROW(max_pool2d(x, 2, 2, 2), Error);  // padding more than half the kernel
  EXPECT_THROW(max_pool2d(x, 3, 1, 0), Error);  // window larger than the input
}

TEST(CpuPool, GlobalAveragePool) {
  // 2 images, 2x1 pixels, 2 channels.
  const Tensor x = Tensor::from_vector(std::vector<float>{1, 10, 3, 20, -1, 0, -2, 4}, {2, 2, 1, 2});
  const Tensor y = global_avg_pool(x);
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{2, 15, -1.5f, 2}));
}

}  // namespace
}  // namespace tl
