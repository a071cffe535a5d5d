#include "engine/shape.h"

#include <limits>
#include <sstream>

#include "kernels/common/error.h"

namespace tl {

Shape::Shape(std::initializer_list<int64_t> dims) { set(dims.begin(), dims.size()); }
Shape::Shape(const std::vector<int64_t>& dims) { set(dims.data(), dims.size()); }

void Shape::set(const int64_t* dims, size_t rank) {
  TL_CHECK(rank <= kMaxRank, "shape of rank " << rank << " exceeds the maximum rank " << kMaxRank);
  int64_t total = 1;
  for (size_t i = 0; i < rank; ++i) {
    TL_CHECK(dims[i] >= 0, "negative dimension " << dims[i] << " at axis " << i);
    TL_CHECK(dims[i] == 0 || total <= std::numeric_limits<int64_t>::max() / dims[i],
             "shape with " << rank << " dimensions overflows int64 elements");
    total *= dims[i];
    dims_[i] = dims[i];
  }
  rank_ = static_cast<int>(rank);
}

int64_t Shape::operator[](int i) const {
  const int axis = i < 0 ? i + rank_ : i;
  TL_CHECK(axis >= 0 && axis < rank_, "axis " << i << " out of range for shape " << str());
  return dims_[axis];
}

int64_t Shape::numel() const {
  int64_t total = 1;
  for (int i = 0; i < rank_; ++i) total *= dims_[i];
  return total;
}

std::string Shape::str() const {
  std::ostringstream out;
  out << "(";
  for (int i = 0; i < rank_; ++i) out << (i ? ", " : "") << dims_[i];
  out << ")";
  return out.str();
}

bool Shape::operator==(const Shape& other) const {
  if (rank_ != other.rank_) return false;
  for (int i = 0; i < rank_; ++i)
    if (dims_[i] != other.dims_[i]) return false;
  return true;
}

}  // namespace tl
