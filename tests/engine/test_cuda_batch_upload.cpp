// BatchUploader (engine/batch_upload.h): batches through pinned memory and a copy stream.
// Each test uploads batches the way feature extraction does (upload, queue the reader,
// release) and checks what reached the device against the host batch, including batches
// that grow, shrink and change shape, which make the uploader reallocate its slots. On the
// emulator every stream runs in the calling thread, so these check the bookkeeping; the
// cross-stream ordering itself is exercised on a GPU. Skipped, with the reason, without one.
#include <gtest/gtest.h>

#include <array>
#include <random>
#include <vector>

#include "engine/batch_upload.h"
#include "engine/ops.h"
#include "engine/ops_normalize.h"
#include "engine/stream.h"
#include "tests/common/gpu.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

Tensor random_batch(int64_t n, int64_t h, int64_t w, std::mt19937& gen) {
  std::vector<uint8_t> bytes(static_cast<size_t>(n * h * w * 3));
  for (uint8_t& v : bytes) v = static_cast<uint8_t>(gen() & 0xFF);
  return Tensor::from_vector(bytes, {n, h, w, 3});
}

TEST(CudaBatchUpload, UploadedBatchesFeedNormalizeLikeTheHostBatches) {
  TL_REQUIRE_GPU();
  const Device gpu = Device::cuda(0);
  const NormalizeParams params = NormalizeParams::torchvision();
  std::mt19937 gen(3);
  // Sizes as an extraction sees them (full batches, a short last one), then a larger batch and
  // another image size (both reallocate a slot), then back to small ones.
  const std::vector<std::array<int64_t, 3>> sizes = {{4, 9, 7}, {4, 9, 7}, {4, 9, 7}, {1, 9, 7},
                                                     {6, 9, 7}, {2, 5, 13}, {3, 5, 13}, {1, 1, 1}};
  std::vector<Tensor> hosts, outputs;
  BatchUploader uploader(gpu);
  for (const auto& [n, h, w] : sizes) {
    hosts.push_back(random_batch(n, h, w, gen));
    const Tensor on_device = uploader.upload(hosts.back());
    EXPECT_EQ(on_device.device(), gpu);
    EXPECT_EQ(on_device.shape(), hosts.back().shape());
    Tensor out = Tensor::empty({n, h, w, 3}, DType::f32, gpu);
    fill(out, NAN);  // poisoned: a pixel that never arrived stays NaN
    normalize(on_device, params, out);
    uploader.release();
    outputs.push_back(out);
  }
  for (size_t i = 0; i < sizes.size(); ++i)
    EXPECT_TRUE(test::all_close(outputs[i].to_vector<float>(), normalize(hosts[i], params).to_vector<float>(),
                                test::Tolerance{0, 0}))
        << "batch " << i;
}

TEST(CudaBatchUpload, UploadsAreReadableUntilReleased) {
  TL_REQUIRE_GPU();
  std::mt19937 gen(4);
  BatchUploader uploader(Device::cuda(0));
  for (int i = 0; i < 5; ++i) {
    const Tensor host = random_batch(2 + i % 2, 3, 4, gen);
    const Tensor on_device = uploader.upload(host);
    EXPECT_EQ(on_device.to_vector<uint8_t>(), host.to_vector<uint8_t>()) << "upload " << i;
    uploader.release();
  }
}

TEST(CudaBatchUpload, MisuseIsAnError) {
  TL_REQUIRE_GPU();
  std::mt19937 gen(5);
  EXPECT_THROW(BatchUploader(Device::cpu()), Error);
  BatchUploader uploader(Device::cuda(0));
  EXPECT_THROW(uploader.release(), Error);  // nothing uploaded yet
  EXPECT_THROW(uploader.upload(random_batch(1, 2, 2, gen).to(Device::cuda(0))), Error);  // not a host tensor
  uploader.upload(random_batch(1, 2, 2, gen));
  EXPECT_THROW(uploader.upload(random_batch(1, 2, 2, gen)), Error);  // the previous one is not released
  uploader.release();
  EXPECT_NO_THROW(uploader.upload(random_batch(1, 2, 2, gen)));
}

}  // namespace
}  // namespace tl
