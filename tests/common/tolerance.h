// The one tolerance helper of the test suites.
//
// An element passes when |actual - expected| <= atol + rtol * |expected|. A failure reports
// the count of mismatches, the largest absolute and relative errors and the first few
// mismatching indices, and NaN/Inf in `actual` always fails (unless the reference has it).
//
// Defaults per precision (anything looser at a call site carries a comment saying why):
//   fp32 : rtol 1e-5, atol 1e-6   one float32 op, rounding of a long sum
//   tf32 : rtol 1e-3, atol 1e-4   10-bit mantissa inputs, fp32 accumulation
//   bf16 : rtol 1e-2, atol 1e-3   7-bit mantissa inputs, fp32 accumulation
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstddef>
#include <sstream>
#include <span>
#include <vector>

#include "kernels/common/precision.h"

namespace tl::test {

struct Tolerance {
  double atol;
  double rtol;
  static Tolerance fp32() { return {1e-6, 1e-5}; }
  static Tolerance tf32() { return {1e-4, 1e-3}; }
  static Tolerance bf16() { return {1e-3, 1e-2}; }
};

// Tolerance for a dot product of length `length` with inputs in [-1, 1] (a GEMM or a
// convolution against a float64 reference), per precision. Rounding an input to a format with
// unit roundoff u gives each product a relative error of std ~0.8u, so with |x*w| ~ 1/3 a sum of
// `length` products is off by std ~0.27u*sqrt(length); atol = u*sqrt(length) is ~4 sigma and
// catches elements whose value (hence rtol) is near zero. fp32 keeps 1e-5*sqrt(length), the
// accumulation-order bound used since the GEMM tests (float32 sums in a different order).
//   tf32: u = 2^-11 (10 mantissa bits, round to nearest)   bf16: u = 2^-8 (7 bits)
inline Tolerance for_dot(Precision p, int64_t length) {
  const double root = std::sqrt(static_cast<double>(length));
  switch (p) {
    case Precision::fp32: return {std::max(Tolerance::fp32().atol, 1e-5 * root), Tolerance::fp32().rtol};
    case Precision::tf32: return {std::max(Tolerance::tf32().atol, std::ldexp(1.0, -11) * root), Tolerance::tf32().rtol};
    case Precision::bf16: return {std::max(Tolerance::bf16().atol, std::ldexp(1.0, -8) * root), Tolerance::bf16().rtol};
  }
  return Tolerance::fp32();
}

template <typename A, typename E>
::testing::AssertionResult all_close(std::span<const A> actual, std::span<const E> expected, Tolerance tol,
                                     int max_reported = 5) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure() << "size " << actual.size() << " != expected size " << expected.size();
  size_t mismatches = 0;
  double max_abs = 0, max_rel = 0;
  std::ostringstream first;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double a = static_cast<double>(actual[i]), e = static_cast<double>(expected[i]);
    const double err = std::fabs(a - e);
    const bool both_nan = std::isnan(a) && std::isnan(e);
    const bool same_inf = std::isinf(a) && std::isinf(e) && a == e;
    const bool ok = both_nan || same_inf || (std::isfinite(a) && err <= tol.atol + tol.rtol * std::fabs(e));
    if (std::isfinite(err)) {
      max_abs = std::max(max_abs, err);
      if (e != 0) max_rel = std::max(max_rel, err / std::fabs(e));
    }
    if (!ok) {
      if (static_cast<int>(mismatches) < max_reported)
        first << "\n    [" << i << "] actual " << a << " expected " << e << " (abs err " << err << ")";
      ++mismatches;
    }
  }
  if (mismatches == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << mismatches << " of " << actual.size() << " elements differ beyond atol "
                                       << tol.atol << " + rtol " << tol.rtol << " * |expected|; max abs err "
                                       << max_abs << ", max rel err " << max_rel << "; first:" << first.str();
}

template <typename A, typename E>
::testing::AssertionResult all_close(const std::vector<A>& actual, const std::vector<E>& expected, Tolerance tol,
                                     int max_reported = 5) {
  return all_close(std::span<const A>(actual), std::span<const E>(expected), tol, max_reported);
}

}  // namespace tl::test
