// Shape: up to five dimensions, row-major (the last dimension is contiguous).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace tl {

class Shape {
 public:
  static constexpr int kMaxRank = 5;

  Shape() = default;  // rank 0: a scalar with one element
  Shape(std::initializer_list<int64_t> dims);
  explicit Shape(const std::vector<int64_t>& dims);

  int rank() const { return rank_; }
  int64_t operator[](int i) const;  // i may be negative, counting from the end
  int64_t numel() const;
  std::vector<int64_t> dims() const { return {dims_.begin(), dims_.begin() + rank_}; }
  std::string str() const;  // "(2, 3, 4)"
  bool operator==(const Shape& other) const;

 private:
  void set(const int64_t* dims, size_t rank);
  std::array<int64_t, kMaxRank> dims_{};
  int rank_ = 0;
};

}  // namespace tl
