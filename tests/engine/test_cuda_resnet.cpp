// The whole frozen ResNet forward on the GPU (weights uploaded once with to_device) against
// the CPU forward on the torchvision fixtures (tests/data/resnet, issue 3), for each precision
// and for our kernels and the cuDNN/cuBLAS backend.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/resnet_builder.h"
#include "engine/resnet_forward.h"
#include "loaders/weights.h"
#include "tests/common/data_dir.h"
#include "tests/common/gpu.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

Tensor read_tensor(const Hdf5File& f, const std::string& name) {
  std::vector<int64_t> shape;
  const std::vector<float> values = f.read_f32(name, &shape);
  return Tensor::from_vector(values, Shape(shape));
}

// Errors relative to the largest |expected| of the tensor (an element that ReLU or a residual
// sum brings near zero carries the rounding of its large inputs). fp32: the fixture tests'
// 1e-4 (GPU and CPU sum in different orders). tf32 / bf16: each conv's inputs are rounded to
// 10 / 7 mantissa bits (relative 5e-4 / 4e-3 per value), and 17-53 convs compound it, so
// 1e-2 / 5e-2 of the scale: loose enough for the rounding, tight enough that a wrong tap,
// channel or epilogue (errors of order the scale itself) fails.
double scale_factor(Precision p) {
  switch (p) {
    case Precision::fp32: return 1e-4;
    case Precision::tf32: return 1e-2;
    case Precision::bf16: return 5e-2;
  }
  return 1e-4;
}

::testing::AssertionResult matches(const Tensor& actual, const Tensor& expected, Precision p) {
  if (!(actual.shape() == expected.shape()))
    return ::testing::AssertionFailure() << "shape " << actual.shape().str() << " vs " << expected.shape().str();
  const std::vector<float> a = actual.to_vector<float>(), e = expected.to_vector<float>();
  float scale = 0;
  for (float v : e) scale = std::max(scale, std::fabs(v));
  const double f = scale_factor(p);
  return test::all_close(a, e, test::Tolerance{f * scale, f});
}

void check_forward(const std::string& fixture, KernelLib lib, const std::vector<Precision>& precisions) {
  const ResNet net = load_resnet_weights(test::data_path("resnet/" + fixture + ".h5"));
  const Hdf5File ref = Hdf5File::open_read(test::data_path("resnet/" + fixture + "_ref.h5"));
  const Tensor input = read_tensor(ref, "input");
  ForwardOptions options;
  options.capture = {"stem", "layer1", "layer4"};
  const ForwardResult cpu = forward(net, input, options);
  const Device gpu = Device::cuda(0);
  for (Precision p : precisions) {
    const ResNet on_gpu = to_device(net, gpu, p);
    options.precision = p;
    options.lib = lib;
    const ForwardResult out = forward(on_gpu, input.to(gpu), options);
    const std::string what = fixture + " " + precision_name(p) + (lib == KernelLib::vendor ? " cuDNN" : " ours");
    EXPECT_EQ(out.features.device(), gpu) << what;
    for (const auto& [name, t] : cpu.activations) EXPECT_TRUE(matches(out.activations.at(name), t, p)) << what << " " << name;
    EXPECT_TRUE(matches(out.features, cpu.features, p)) << what << " features";
    EXPECT_TRUE(matches(out.logits, cpu.logits, p)) << what << " logits";
  }
}

const std::vector<Precision> kAll{Precision::fp32, Precision::tf32, Precision::bf16};

TEST(CudaResNetForward, OursMatchesCpu) {
  TL_REQUIRE_GPU();
  if (test::emulated()) {  // a minute of emulation otherwise: every kernel path once, not twice
    check_forward("resnet18_w8", KernelLib::ours, {Precision::fp32, Precision::bf16});
    check_forward("resnet50_w4", KernelLib::ours, {Precision::tf32});
    return;
  }
  check_forward("resnet18_w8", KernelLib::ours, kAll);
  check_forward("resnet50_w4", KernelLib::ours, kAll);
}

TEST(CudaResNetForward, CudnnMatchesCpu) {
  TL_REQUIRE_GPU();
  TL_REQUIRE_VENDOR_LIBS();
  check_forward("resnet18_w8", KernelLib::vendor, kAll);
  check_forward("resnet50_w4", KernelLib::vendor, kAll);
}

// Multi-stage features on the device (pooled stage outputs side by side through
// cudaMemcpy2DAsync) against the CPU's, and concat_columns itself with poisoned output.
TEST(CudaResNetForward, MultiStageFeaturesMatchCpu) {
  TL_REQUIRE_GPU();
  const ResNet net = load_resnet_weights(test::data_path("resnet/resnet18_w8.h5"));
  const Hdf5File ref = Hdf5File::open_read(test::data_path("resnet/resnet18_w8_ref.h5"));
  const Tensor all = read_tensor(ref, "input");
  const Tensor input = test::emulated() ? all.slice(0, 1) : all;  // one image is enough on the emulator
  ForwardOptions options;
  options.pooled_stages = {2, 3, 4};
  const ForwardResult cpu = forward(net, input, options);
  const ForwardResult gpu = forward(to_device(net, Device::cuda(0), Precision::fp32), input.to(Device::cuda(0)), options);
  EXPECT_EQ(gpu.features.device(), Device::cuda(0));
  EXPECT_TRUE(matches(gpu.features, cpu.features, Precision::fp32));

  const Tensor a = Tensor::from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {3, 2});
  const Tensor b = Tensor::from_vector(std::vector<float>{7, 8, 9}, {3, 1});
  const Tensor joined = concat_columns({a.to(Device::cuda(0)), b.to(Device::cuda(0))});
  EXPECT_EQ(joined.device(), Device::cuda(0));
  EXPECT_EQ(joined.to_vector<float>(), concat_columns({a, b}).to_vector<float>());
}

TEST(CudaResNetForward, WeightsOnAnotherDeviceAreAnError) {
  TL_REQUIRE_GPU();
  const ResNet net = load_resnet_weights(test::data_path("resnet/resnet18_w8.h5"));
  const Tensor x = Tensor::zeros({1, 33, 33, 3}, DType::f32, Device::cuda(0));
  EXPECT_THROW(forward(net, x), Error);  // weights still on the CPU
}

TEST(CudaResNetForward, UploadNeedsFoldedWeightsAndMakesBf16Copies) {
  TL_REQUIRE_GPU();
  ResNet net = build_resnet(ResNetSpec::standard(18, 8, 3));  // skeleton: nothing folded yet
  EXPECT_THROW(to_device(net, Device::cuda(0)), Error);
  init_random(net, 3);  // folds
  const ResNet fp32 = to_device(net, Device::cuda(0));
  EXPECT_EQ(fp32.stem.folded_weight.device(), Device::cuda(0));
  EXPECT_EQ(fp32.fc_weight.device(), Device::cuda(0));
  EXPECT_FALSE(fp32.stem.folded_weight_bf16.defined());
  const ResNet bf16 = to_device(net, Device::cuda(0), Precision::bf16);
  const Tensor& w16 = bf16.stages[1][0].convs[0].folded_weight_bf16;
  ASSERT_TRUE(w16.defined());
  EXPECT_EQ(w16.dtype(), DType::bf16);
  EXPECT_EQ(w16.shape(), net.stages[1][0].convs[0].folded_weight.shape());
  EXPECT_EQ(net.stem.folded_weight.device(), Device::cpu());  // the source network is untouched
}

}  // namespace
}  // namespace tl
