// The SIMT emulator and the tensor-core helpers, through kernels written for the purpose
// (tests/emulator/emulator_test_kernels.cu). On a real GPU (tl_tests) these check the helpers'
// fragment layouts against the hardware; on the emulator (tl_tests_emulated) they check the
// emulation against the same plain references, under both schedules, plus what only the
// emulator can show: planted bugs caught deterministically, deadlocks and traps reported.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "engine/ops.h"
#include "engine/stream.h"
#include "kernels/common/bf16.h"
#include "tests/common/gpu.h"
#include "tests/common/random.h"
#include "tests/common/tolerance.h"

#if TL_HAS_CUDA
#include "tests/emulator/emulator_test_kernels.h"
#endif
#if defined(TL_EMULATE_CUDA)
#include "kernels/emulator/emulator.h"
#endif

namespace tl {
namespace {

#if TL_HAS_CUDA

using test::all_close;
using test::Tolerance;
using test_kernels::PlantedBug;

const Device kGpu = Device::cuda(0);

Tensor on_gpu(const std::vector<float>& v) {
  return Tensor::from_vector(v, {static_cast<int64_t>(v.size())}).to(kGpu);
}

Tensor poisoned(int64_t n) {
  Tensor t = Tensor::empty({n}, DType::f32, kGpu);
  fill(t, NAN);
  return t;
}

// Runs `body` once per emulator schedule (once on a real GPU), naming the schedule on failure.
void for_each_schedule(const std::function<void()>& body) {
#if defined(TL_EMULATE_CUDA)
  for (emu::Schedule s : {emu::Schedule::serial, emu::Schedule::parallel}) {
    SCOPED_TRACE(s == emu::Schedule::serial ? "serial schedule" : "parallel schedule");
    emu::ScopedSchedule scope(s);
    body();
  }
#else
  body();
#endif
}

// C = A B in double: the independent reference.
std::vector<float> matmul_reference(const std::vector<float>& a, const std::vector<float>& b, int m, int n,
                                    int k) {
  std::vector<float> c(static_cast<size_t>(m * n));
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double acc = 0;
      for (int p = 0; p < k; ++p)
        acc += double{a[static_cast<size_t>(i * k + p)]} * b[static_cast<size_t>(p * n + j)];
      c[static_cast<size_t>(i * n + j)] = static_cast<float>(acc);
    }
  return c;
}

// The tiled matmul (with an optional planted bug) on awkward sizes, checked like every GEMM test.
::testing::AssertionResult tiled_matmul_matches(PlantedBug bug) {
  const int m = 37, n = 45, k = 53;  // no dimension a multiple of the 16x16 tile
  const auto av = test::random_floats(static_cast<size_t>(m * k), 71),
             bv = test::random_floats(static_cast<size_t>(k * n), 72);
  const Tensor a = on_gpu(av), b = on_gpu(bv);
  Tensor c = poisoned(m * n);
  test_kernels::tiled_matmul(a.data<float>(), b.data<float>(), c.data<float>(), m, n, k, bug,
                             stream_for(kGpu));
  // float32 sums of 53 products of values in [-1, 1] against a double reference.
  return all_close(c.to_vector<float>(), matmul_reference(av, bv, m, n, k), Tolerance{1e-5, 1e-5});
}

TEST(CudaEmulator, TiledMatmulMatchesReference) {
  TL_REQUIRE_GPU();
  for_each_schedule([] { EXPECT_TRUE(tiled_matmul_matches(PlantedBug::none)); });
}

// The planted-bug demonstrations: the same check as above must fail for each broken kernel.
TEST(CudaEmulatorPlantedBugs, OffByOneTileEdgeIsCaught) {
  TL_REQUIRE_GPU();
  for_each_schedule([] { EXPECT_FALSE(tiled_matmul_matches(PlantedBug::tile_edge_off_by_one)); });
}

TEST(CudaEmulatorPlantedBugs, MissingSyncthreadsIsCaught) {
  TL_REQUIRE_GPU();
  if (!test::emulated())
    GTEST_SKIP() << "a race shows only sometimes on a GPU; the serial emulator shows it always";
#if defined(TL_EMULATE_CUDA)
  // The serial schedule runs one thread at a time up to its next barrier, so a thread reads
  // the tile before the others have staged (or after they restaged) it: wrong on every run.
  emu::ScopedSchedule serial(emu::Schedule::serial);
  EXPECT_FALSE(tiled_matmul_matches(PlantedBug::missing_first_sync));
  EXPECT_FALSE(tiled_matmul_matches(PlantedBug::missing_second_sync));
  EXPECT_TRUE(tiled_matmul_matches(PlantedBug::none)) << "the correct kernel still passes after them";
#endif
}

// Run by scripts/tsan.sh only (disabled otherwise): the missing barrier under the parallel
// schedule, for ThreadSanitizer to report as a data race on the shared tile (it reports the
// serial-schedule runs above as well).
TEST(CudaEmulatorPlantedBugs, DISABLED_MissingSyncthreadsRaceForTsan) {
  TL_REQUIRE_GPU();
#if defined(TL_EMULATE_CUDA)
  emu::ScopedSchedule parallel(emu::Schedule::parallel);
  for (int run = 0; run < 5; ++run) (void)tiled_matmul_matches(PlantedBug::missing_first_sync);
#endif
}

TEST(CudaEmulator, WarpShufflesVotesAndSyncthreadsCount) {
  TL_REQUIRE_GPU();
  const int n = 256;
  const auto x = test::random_floats(n, 81);
  std::vector<float> scan(n), sum(n), first(n);
  std::vector<unsigned> ballot(n / 32, 0);
  std::vector<int32_t> positives(n / 64, 0);
  for (int w = 0; w < n / 32; ++w) {
    float running = 0, total = 0;
    for (int l = 0; l < 32; ++l) total += x[static_cast<size_t>(w * 32 + l)];
    for (int l = 0; l < 32; ++l) {
      const size_t i = static_cast<size_t>(w * 32 + l);
      running += x[i];
      scan[i] = running;
      sum[i] = total;
      first[i] = x[static_cast<size_t>(w * 32 + l / 8 * 8)];
      if (x[i] > 0) ballot[static_cast<size_t>(w)] |= 1u << l;
      if (x[i] > 0) ++positives[static_cast<size_t>(w / 2)];
    }
  }
  for_each_schedule([&] {
    const Tensor gx = on_gpu(x);
    Tensor gscan = poisoned(n), gsum = poisoned(n), gfirst = poisoned(n);
    Tensor gballot = Tensor::zeros({n / 32}, DType::i32, kGpu),
           gpositives = Tensor::zeros({n / 64}, DType::i32, kGpu);
    test_kernels::warp_ops(gx.data<float>(), gscan.data<float>(), gsum.data<float>(), gfirst.data<float>(),
                           reinterpret_cast<unsigned*>(gballot.data<int32_t>()), gpositives.data<int32_t>(),
                           n, stream_for(kGpu));
    EXPECT_EQ(gpositives.to_vector<int32_t>(), positives) << "__syncthreads_count";
    // Sums of up to 32 values in [-1, 1] in a different order: a few float32 ulps of ~32.
    EXPECT_TRUE(all_close(gscan.to_vector<float>(), scan, Tolerance{1e-5, 1e-5}));
    EXPECT_TRUE(all_close(gsum.to_vector<float>(), sum, Tolerance{1e-5, 1e-5}));
    EXPECT_TRUE(all_close(gfirst.to_vector<float>(), first, Tolerance{0, 0}));
    const auto got = gballot.to_vector<int32_t>();
    for (int w = 0; w < n / 32; ++w)
      EXPECT_EQ(static_cast<unsigned>(got[static_cast<size_t>(w)]), ballot[static_cast<size_t>(w)]) << w;
  });
}

TEST(CudaEmulator, AtomicsCountEveryUpdate) {
  TL_REQUIRE_GPU();
  const int n = 3000, bins = 7;
  std::vector<int32_t> v(n);
  std::vector<int32_t> expected_bins(bins, 0);
  for (int i = 0; i < n; ++i) {
    v[static_cast<size_t>(i)] = (i * 37 + i / 5) % bins;
    ++expected_bins[static_cast<size_t>(v[static_cast<size_t>(i)])];
  }
  const auto x = test::random_floats(n, 82);
  double total = 0;
  for (float f : x) total += f;
  for_each_schedule([&] {
    const Tensor gv = Tensor::from_vector(v, {n}).to(kGpu);
    Tensor gbins = Tensor::zeros({bins}, DType::i32, kGpu);
    Tensor gtotal = Tensor::zeros({1}, DType::f32, kGpu);
    const Tensor gx = on_gpu(x);
    test_kernels::histogram(gv.data<int32_t>(), n, reinterpret_cast<unsigned*>(gbins.data<int32_t>()),
                            gx.data<float>(), gtotal.data<float>(), stream_for(kGpu));
    EXPECT_EQ(gbins.to_vector<int32_t>(), expected_bins);
    // 3000 values in [-1, 1] summed in float in any order: |error| < n * 2^-24 * max partial sum.
    EXPECT_NEAR(gtotal.to_vector<float>()[0], total, 1e-3);
  });
}

TEST(CudaEmulator, DynamicSharedMemoryIsPerBlock) {
  TL_REQUIRE_GPU();
  const int n = 1000, block = 96;  // a ragged last block
  const auto x = test::random_floats(n, 83);
  std::vector<float> expected(n);
  for (int base = 0; base < n; base += block) {
    const int len = std::min(block, n - base);
    for (int t = 0; t < len; ++t)
      expected[static_cast<size_t>(base + t)] = x[static_cast<size_t>(base + len - 1 - t)];
  }
  for_each_schedule([&] {
    const Tensor gx = on_gpu(x);
    Tensor gy = poisoned(n);
    test_kernels::reverse_blocks(gx.data<float>(), gy.data<float>(), n, block, stream_for(kGpu));
    EXPECT_TRUE(all_close(gy.to_vector<float>(), expected, Tolerance{0, 0}));
  });
}

// tf32 rounding as cvt.rna does it (nearest, ties away from zero), for the reference.
float round_to_tf32(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  u = (u + 0x1000u) & 0xffffe000u;
  std::memcpy(&x, &u, 4);
  return x;
}

TEST(CudaEmulator, MmaTf32MatchesPlainMatmul) {
  TL_REQUIRE_GPU();
  auto a = test::random_floats(16 * 8, 91), b = test::random_floats(8 * 8, 92);
  const auto c = test::random_floats(16 * 8, 93);
  const Tensor ga = on_gpu(a), gb = on_gpu(b), gc = on_gpu(c);
  for (float& v : a) v = round_to_tf32(v);
  for (float& v : b) v = round_to_tf32(v);
  std::vector<float> expected = matmul_reference(a, b, 16, 8, 8);
  for (size_t i = 0; i < expected.size(); ++i) expected[i] += c[i];
  for_each_schedule([&] {
    Tensor gd = poisoned(16 * 8);
    test_kernels::mma_tf32(ga.data<float>(), gb.data<float>(), gc.data<float>(), gd.data<float>(),
                           stream_for(kGpu));
    // Inputs are exactly tf32, so products are exact; only the float accumulation differs.
    EXPECT_TRUE(all_close(gd.to_vector<float>(), expected, Tolerance{1e-5, 1e-5}));
  });
}

class CudaEmulatorMmaBf16 : public ::testing::TestWithParam<bool> {};

TEST_P(CudaEmulatorMmaBf16, ThroughCpAsyncAndLdmatrixMatchesPlainMatmul) {
  TL_REQUIRE_GPU();
  const bool b_via_trans = GetParam();
  const auto af = test::random_floats(16 * 16, 94), bf = test::random_floats(16 * 8, 95);
  const auto c = test::random_floats(16 * 8, 96);
  std::vector<uint16_t> a_bits(af.size()), b_bits(bf.size());
  std::vector<float> a_rounded(af.size()), b_rounded(bf.size());
  for (size_t i = 0; i < af.size(); ++i) {
    a_bits[i] = bf16::from_float(af[i]).bits;
    a_rounded[i] = bf16{a_bits[i]}.to_float();
  }
  for (size_t i = 0; i < bf.size(); ++i) {
    b_bits[i] = bf16::from_float(bf[i]).bits;
    b_rounded[i] = bf16{b_bits[i]}.to_float();
  }
  std::vector<float> expected = matmul_reference(a_rounded, b_rounded, 16, 8, 16);
  for (size_t i = 0; i < expected.size(); ++i) expected[i] += c[i];
  const Tensor ga = Tensor::from_host(a_bits.data(), {16 * 16}, DType::bf16, kGpu);
  const Tensor gb = Tensor::from_host(b_bits.data(), {16 * 8}, DType::bf16, kGpu);
  const Tensor gc = on_gpu(c);
  for_each_schedule([&] {
    Tensor gd = poisoned(16 * 8);
    test_kernels::mma_bf16(static_cast<const uint16_t*>(ga.raw_data()),
                           static_cast<const uint16_t*>(gb.raw_data()), gc.data<float>(), gd.data<float>(),
                           b_via_trans, stream_for(kGpu));
    // bf16 products are exact in float; only the float accumulation order differs.
    EXPECT_TRUE(all_close(gd.to_vector<float>(), expected, Tolerance{1e-5, 1e-5}));
  });
}

INSTANTIATE_TEST_SUITE_P(BLayouts, CudaEmulatorMmaBf16, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "ldmatrix_trans" : "ldmatrix";
                         });

TEST(CudaEmulator, InvalidLaunchConfigurationThrows) {
  TL_REQUIRE_GPU();
  try {
    test_kernels::oversized_block(stream_for(kGpu));
    FAIL() << "a block of 2048 threads was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cudaErrorInvalidConfiguration"), std::string::npos) << e.what();
  }
}

TEST(CudaEmulator, DynamicSharedMemoryOver48KiBNeedsTheAttribute) {
  TL_REQUIRE_GPU();
  const int n = 12345;
  const auto x = test::random_floats(n, 98);
  const std::vector<float> expected(x.rbegin(), x.rend());
  const Tensor gx = on_gpu(x);
  Tensor gy = poisoned(n);
  EXPECT_THROW(
      test_kernels::reverse_with_64k_smem(gx.data<float>(), gy.data<float>(), n, false, stream_for(kGpu)),
      Error);
  test_kernels::reverse_with_64k_smem(gx.data<float>(), gy.data<float>(), n, true, stream_for(kGpu));
  EXPECT_TRUE(all_close(gy.to_vector<float>(), expected, Tolerance{0, 0}));
}

TEST(CudaEmulator, RuntimeMemoryEventsAndErrors) {
  TL_REQUIRE_GPU();
  cudaDeviceProp prop{};
  ASSERT_EQ(cudaGetDeviceProperties(&prop, 0), cudaSuccess);
  EXPECT_EQ(prop.warpSize, 32);
  EXPECT_EQ(prop.maxThreadsPerBlock, 1024);
  // A 2D copy of a 3x5 window out of an 8-wide host matrix into a 6-wide device one and back.
  std::vector<float> host(4 * 8), back(4 * 6, -1.0f);
  for (size_t i = 0; i < host.size(); ++i) host[i] = static_cast<float>(i);
  float* device = nullptr;
  ASSERT_EQ(cudaMalloc(reinterpret_cast<void**>(&device), back.size() * sizeof(float)), cudaSuccess);
  ASSERT_EQ(cudaMemset(device, 0, back.size() * sizeof(float)), cudaSuccess);
  ASSERT_EQ(cudaMemcpy2D(device, 6 * sizeof(float), host.data() + 1, 8 * sizeof(float), 5 * sizeof(float), 3,
                         cudaMemcpyHostToDevice),
            cudaSuccess);
  ASSERT_EQ(cudaMemcpy(back.data(), device, back.size() * sizeof(float), cudaMemcpyDeviceToHost),
            cudaSuccess);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 6; ++c)
      EXPECT_EQ(back[static_cast<size_t>(r * 6 + c)],
                r < 3 && c < 5 ? host[static_cast<size_t>(r * 8 + c + 1)] : 0.0f)
          << r << "," << c;
  EXPECT_EQ(cudaFree(device), cudaSuccess);
  int not_device_memory = 0;
  EXPECT_NE(cudaFree(&not_device_memory), cudaSuccess);
  EXPECT_NE(cudaGetLastError(), cudaSuccess) << "the failed cudaFree is the last error";
  EXPECT_EQ(cudaGetLastError(), cudaSuccess) << "reading the last error clears it";
  cudaEvent_t start = nullptr, stop = nullptr;
  ASSERT_EQ(cudaEventCreate(&start), cudaSuccess);
  ASSERT_EQ(cudaEventCreate(&stop), cudaSuccess);
  ASSERT_EQ(cudaEventRecord(start, stream_for(kGpu)), cudaSuccess);
  ASSERT_EQ(cudaEventRecord(stop, stream_for(kGpu)), cudaSuccess);
  ASSERT_EQ(cudaEventSynchronize(stop), cudaSuccess);
  float ms = -1;
  EXPECT_EQ(cudaEventElapsedTime(&ms, start, stop), cudaSuccess);
  EXPECT_GE(ms, 0.0f);
  EXPECT_EQ(cudaEventDestroy(start), cudaSuccess);
  EXPECT_EQ(cudaEventDestroy(stop), cudaSuccess);
}

// Behaviours that are undefined or fatal to the context on a GPU: emulator only.
TEST(CudaEmulator, DeadlockIsReportedNotHung) {
  TL_REQUIRE_GPU();
  if (!test::emulated()) GTEST_SKIP() << "would hang a GPU";
  for_each_schedule([] {
    try {
      test_kernels::divergent_barrier(stream_for(kGpu));
      FAIL() << "no deadlock reported";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("deadlock"), std::string::npos) << e.what();
    }
  });
}

TEST(CudaEmulator, TrapAbortsTheLaunch) {
  TL_REQUIRE_GPU();
  if (!test::emulated()) GTEST_SKIP() << "a trap ruins the GPU context for the rest of the tests";
  for_each_schedule([] {
    try {
      test_kernels::trap(stream_for(kGpu));
      FAIL() << "no error reported";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("__trap"), std::string::npos) << e.what();
    }
  });
}

TEST(CudaEmulator, CpAsyncDataArrivesOnlyAfterTheWait) {
  TL_REQUIRE_GPU();
  const auto x = test::random_floats(32, 97);
  const Tensor gx = on_gpu(x);
  Tensor out = poisoned(32);
  test_kernels::cp_async_copy(gx.data<float>(), out.data<float>(), true, stream_for(kGpu));
  EXPECT_TRUE(all_close(out.to_vector<float>(), x, Tolerance{0, 0}));
  if (!test::emulated()) return;  // without the wait a GPU may or may not have the data
  test_kernels::cp_async_copy(gx.data<float>(), out.data<float>(), false, stream_for(kGpu));
  EXPECT_TRUE(all_close(out.to_vector<float>(), std::vector<float>(32, -1.0f), Tolerance{0, 0}))
      << "the emulator performs a cp.async at its wait: reading before it sees the old contents";
}

#endif  // TL_HAS_CUDA

}  // namespace
}  // namespace tl
