// Tensor, Shape, DType and Device basics on the CPU, against hand-worked values.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/tensor.h"

namespace tl {
namespace {

TEST(Shape, CountsElementsAndPrints) {
  const Shape s{2, 3, 4};
  EXPECT_EQ(s.rank(), 3);
  EXPECT_EQ(s.numel(), 24);
  EXPECT_EQ(s[-1], 4);
  EXPECT_EQ(s.str(), "(2, 3, 4)");
  EXPECT_EQ(Shape{}.numel(), 1);
  EXPECT_EQ((Shape{5, 0, 3}.numel()), 0);
}

TEST(Shape, RejectsRankAboveFiveAndNegativeDims) {
  EXPECT_THROW((Shape{1, 2, 3, 4, 5, 6}), Error);
  EXPECT_THROW((Shape{2, -1}), Error);
  EXPECT_THROW((Shape{2, 3})[2], Error);
}

TEST(Tensor, FromVectorRoundTripsAndZeros) {
  const std::vector<float> values{1, 2, 3, 4, 5, 6};
  const Tensor t = Tensor::from_vector(values, {2, 3});
  EXPECT_EQ(t.dtype(), DType::f32);
  EXPECT_EQ(t.nbytes(), 24u);
  EXPECT_EQ(t.to_vector<float>(), values);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % 64, 0u) << "host storage is 64-byte aligned";
  const Tensor z = Tensor::zeros({3, 2}, DType::i32);
  EXPECT_EQ(z.to_vector<int32_t>(), std::vector<int32_t>(6, 0));
}

TEST(Tensor, SliceIsAViewOfTheLeadingDimension) {
  Tensor t = Tensor::from_vector(std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}, {4, 2});
  Tensor rows = t.slice(1, 3);
  EXPECT_EQ(rows.shape(), (Shape{2, 2}));
  EXPECT_EQ(rows.to_vector<float>(), (std::vector<float>{2, 3, 4, 5}));
  rows.data<float>()[0] = 42;  // writes through to the parent
  EXPECT_EQ(t.to_vector<float>()[2], 42);
  EXPECT_THROW(t.slice(3, 5), Error);
  EXPECT_EQ(t.slice(4, 4).numel(), 0);
}

TEST(Tensor, CloneIsIndependentAndReshapeShares) {
  Tensor t = Tensor::from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2});
  Tensor c = t.clone();
  c.data<float>()[0] = -1;
  EXPECT_EQ(t.to_vector<float>()[0], 1);
  Tensor r = t.reshape({4});
  r.data<float>()[3] = 9;
  EXPECT_EQ(t.to_vector<float>()[3], 9);
  EXPECT_THROW(t.reshape({3}), Error);
}

TEST(Tensor, WrongDtypeAccessIsAnError) {
  const Tensor t = Tensor::zeros({2}, DType::u8);
  EXPECT_THROW(t.data<float>(), Error);
  EXPECT_THROW(t.to_vector<int32_t>(), Error);
  EXPECT_THROW(Tensor().raw_data(), Error);
}

TEST(Tensor, SummaryNamesTypeShapeDeviceAndStatistics) {
  const Tensor t = Tensor::from_vector(std::vector<float>{-1, 0.5f, 2, NAN}, {2, 2});
  const std::string s = t.summary();
  EXPECT_NE(s.find("f32 (2, 2) cpu"), std::string::npos) << s;
  EXPECT_NE(s.find("min -1 max 2"), std::string::npos) << s;
  EXPECT_NE(s.find("nan 1"), std::string::npos) << s;
}

TEST(DType, SizesNamesAndBf16Rounding) {
  EXPECT_EQ(dtype_size(DType::bf16), 2u);
  EXPECT_EQ(parse_dtype("i32"), DType::i32);
  EXPECT_THROW(parse_dtype("f64"), Error);
  // 1 + 2^-8 lies exactly between two bf16 values (1 and 1 + 2^-7): ties go to even (1).
  EXPECT_EQ(bf16::from_float(1.0f + 1.0f / 256).to_float(), 1.0f);
  // 1 + 3*2^-8 lies between 1 + 2^-7 and 1 + 2^-6: ties to even gives 1 + 2^-6.
  EXPECT_EQ(bf16::from_float(1.0f + 3.0f / 256).to_float(), 1.0f + 1.0f / 64);
  EXPECT_EQ(bf16::from_float(-2.5f).to_float(), -2.5f);
  EXPECT_TRUE(std::isnan(bf16::from_float(NAN).to_float()));
}

TEST(Device, ParsesAndPrints) {
  EXPECT_EQ(parse_device("cpu"), Device::cpu());
  EXPECT_EQ(parse_device("cuda"), Device::cuda(0));
  EXPECT_EQ(parse_device("cuda:3").index, 3);
  EXPECT_EQ(Device::cuda(1).str(), "cuda:1");
  EXPECT_THROW(parse_device("gpu"), Error);
  EXPECT_THROW(parse_device("cuda:x"), Error);
}

TEST(Device, GpuPresenceIsReportedInOneLine) {
  const std::string line = cuda_status_line();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  if (cuda_available()) {
    EXPECT_NE(line.find("CUDA GPU"), std::string::npos) << line;
  } else {
    EXPECT_NE(line.find("running on the CPU"), std::string::npos) << line;
    EXPECT_FALSE(cuda_status().reason.empty());
    EXPECT_THROW(Tensor::zeros({4}, DType::f32, Device::cuda(0)), Error) << "no GPU: allocation must say so";
  }
}

}  // namespace
}  // namespace tl
