#include "loaders/hdf5_file.h"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "kernels/common/error.h"
#include "loaders/file_checks.h"

namespace tl {
namespace {

// HDF5 prints its error stack to stderr by default; tl reports errors itself.
void silence_hdf5_errors() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

H5Kind kind_of(hid_t type) {
  switch (H5Tget_class(type)) {
    case H5T_FLOAT: return H5Kind::float_;
    case H5T_INTEGER: return H5Kind::integer;
    case H5T_STRING: return H5Kind::string;
    default: return H5Kind::other;
  }
}

std::vector<int64_t> shape_of(hid_t space) {
  const int rank = H5Sget_simple_extent_ndims(space);
  TL_CHECK(rank >= 0, "cannot read a dataspace rank");
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return {dims.begin(), dims.end()};
}

int64_t count_of(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    TL_CHECK(d >= 0 && (d == 0 || n <= (int64_t{1} << 40) / d), "dataset too large");
    n *= d;
  }
  return n;
}

// Reads `count` strings of `type` (fixed or variable length) from a dataset or attribute.
template <typename ReadFn>
std::vector<std::string> read_string_values(hid_t type, size_t count, ReadFn read) {
  std::vector<std::string> out;
  if (H5Tis_variable_str(type) > 0) {
    H5Id memtype(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memtype.get(), H5T_VARIABLE);
    H5Tset_cset(memtype.get(), H5Tget_cset(type));  // HDF5 does not convert between ASCII and UTF-8
    std::vector<char*> ptrs(count, nullptr);
    TL_CHECK(read(memtype.get(), ptrs.data()) >= 0, "cannot read variable-length strings");
    for (char* p : ptrs) {
      out.emplace_back(p ? p : "");
      H5free_memory(p);
    }
  } else {
    const size_t width = H5Tget_size(type);
    H5Id memtype(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memtype.get(), width);
    H5Tset_cset(memtype.get(), H5Tget_cset(type));
    H5Tset_strpad(memtype.get(), H5Tget_strpad(type));
    std::vector<char> buffer(width * count + 1, '\0');
    TL_CHECK(read(memtype.get(), buffer.data()) >= 0, "cannot read fixed-length strings");
    for (size_t i = 0; i < count; ++i) {
      const char* p = buffer.data() + i * width;
      out.emplace_back(p, strnlen(p, width));
    }
  }
  return out;
}

std::string normalise(const std::string& object) { return object.empty() ? "/" : object; }

}  // namespace

H5Id& H5Id::operator=(H5Id&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    closer_ = other.closer_;
    other.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void H5Id::reset() {
  if (id_ >= 0 && closer_) closer_(id_);
  id_ = H5I_INVALID_HID;
}

std::string DatasetInfo::type_name() const {
  switch (kind) {
    case H5Kind::float_: return "float" + std::to_string(element_bytes * 8);
    case H5Kind::integer: return "int" + std::to_string(element_bytes * 8);
    case H5Kind::string: return "string";
    case H5Kind::other: return "non-numeric";
  }
  return "?";
}

Hdf5File Hdf5File::open_read(const std::string& path) {
  silence_hdf5_errors();
  require_readable_file(path, "HDF5 file");
  TL_CHECK(H5Fis_hdf5(path.c_str()) > 0, "file '" << path << "' is not an HDF5 file (no HDF5 signature)");
  H5Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  TL_CHECK(file.valid(), "file '" << path << "': HDF5 cannot open it (truncated or corrupt?)");
  return Hdf5File(path, std::move(file));
}

Hdf5File Hdf5File::create(const std::string& path) {
  silence_hdf5_errors();
  H5Id file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  TL_CHECK(file.valid(), "cannot create HDF5 file '" << path << "'");
  return Hdf5File(path, std::move(file));
}

Hdf5File Hdf5File::open_write(const std::string& path) {
  silence_hdf5_errors();
  require_readable_file(path, "HDF5 file");
  TL_CHECK(H5Fis_hdf5(path.c_str()) > 0, "file '" << path << "' is not an HDF5 file (no HDF5 signature)");
  H5Id file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
  TL_CHECK(file.valid(), "file '" << path << "': HDF5 cannot open it for writing");
  return Hdf5File(path, std::move(file));
}

std::string Hdf5File::where(const std::string& object) const {
  return "file '" + path_ + "', object '" + object + "'";
}

bool Hdf5File::exists(const std::string& object) const {
  const std::string path = normalise(object);
  if (path == "/") return true;
  // Every intermediate link must exist before H5Lexists may be asked about the next one.
  size_t pos = path[0] == '/' ? 1 : 0;
  while (true) {
    const size_t next = path.find('/', pos);
    const std::string prefix = path.substr(0, next);
    if (H5Lexists(file_.get(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return H5Oexists_by_name(file_.get(), path.c_str(), H5P_DEFAULT) > 0;
}

H5Id Hdf5File::open_object(const std::string& object) const {
  const std::string path = normalise(object);
  TL_CHECK(exists(path), where(path) << ": not found");
  H5Id id(H5Oopen(file_.get(), path.c_str(), H5P_DEFAULT), H5Oclose);
  TL_CHECK(id.valid(), where(path) << ": cannot be opened (corrupt file?)");
  return id;
}

bool Hdf5File::is_group(const std::string& object) const {
  if (!exists(object)) return false;
  return H5Iget_type(open_object(object).get()) == H5I_GROUP;
}

bool Hdf5File::is_dataset(const std::string& object) const {
  if (!exists(object)) return false;
  return H5Iget_type(open_object(object).get()) == H5I_DATASET;
}

std::vector<std::string> Hdf5File::children(const std::string& group) const {
  H5Id g = open_object(group);
  TL_CHECK(H5Iget_type(g.get()) == H5I_GROUP, where(group) << ": is not a group");
  H5G_info_t info;
  TL_CHECK(H5Gget_info(g.get(), &info) >= 0, where(group) << ": cannot list its members");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t len = H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    TL_CHECK(len >= 0, where(group) << ": cannot read member " << i);
    std::string name(static_cast<size_t>(len), '\0');
    H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1, H5P_DEFAULT);
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

DatasetInfo Hdf5File::dataset_info(const std::string& name) const {
  H5Id d = open_object(name);
  TL_CHECK(H5Iget_type(d.get()) == H5I_DATASET, where(name) << ": is a group, expected a dataset");
  H5Id type(H5Dget_type(d.get()), H5Tclose);
  H5Id space(H5Dget_space(d.get()), H5Sclose);
  TL_CHECK(type.valid() && space.valid(), where(name) << ": unreadable type or shape (corrupt file?)");
  DatasetInfo info;
  info.shape = shape_of(space.get());
  info.kind = kind_of(type.get());
  info.element_bytes = H5Tget_size(type.get());
  return info;
}

std::vector<float> Hdf5File::read_f32(const std::string& name, std::vector<int64_t>* shape) const {
  const DatasetInfo info = dataset_info(name);
  TL_CHECK(info.kind == H5Kind::float_ && (info.element_bytes == 4 || info.element_bytes == 8),
           where(name) << ": has type " << info.type_name() << ", expected float32");
  std::vector<float> out(static_cast<size_t>(count_of(info.shape)));
  H5Id d = open_object(name);
  TL_CHECK(H5Dread(d.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0,
           where(name) << ": reading its data failed (truncated or corrupt file?)");
  if (shape) *shape = info.shape;
  return out;
}

std::vector<int32_t> Hdf5File::read_i32(const std::string& name, std::vector<int64_t>* shape) const {
  const DatasetInfo info = dataset_info(name);
  TL_CHECK(info.kind == H5Kind::integer, where(name) << ": has type " << info.type_name() << ", expected integers");
  std::vector<int32_t> out(static_cast<size_t>(count_of(info.shape)));
  H5Id d = open_object(name);
  TL_CHECK(H5Dread(d.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0,
           where(name) << ": reading its data failed (truncated or corrupt file, or values out of int32 range?)");
  if (shape) *shape = info.shape;
  return out;
}

std::vector<std::string> Hdf5File::read_strings(const std::string& name) const {
  const DatasetInfo info = dataset_info(name);
  TL_CHECK(info.kind == H5Kind::string && info.shape.size() == 1,
           where(name) << ": has type " << info.type_name() << ", expected a 1-D string dataset");
  H5Id d = open_object(name);
  H5Id type(H5Dget_type(d.get()), H5Tclose);
  try {
    return read_string_values(type.get(), static_cast<size_t>(info.shape[0]), [&](hid_t mem, void* buf) {
      return H5Dread(d.get(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    });
  } catch (const Error& e) {
    TL_FAIL(where(name) << ": " << e.what());
  }
}

namespace {

void write_dataset(hid_t file, const std::string& where, const std::string& name, hid_t file_type, hid_t mem_type,
                   const void* data, const std::vector<int64_t>& shape) {
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  H5Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  H5Id lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  H5Id d(H5Dcreate2(file, name.c_str(), file_type, space.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  TL_CHECK(d.valid(), where << ": cannot create dataset (exists already?)");
  TL_CHECK(H5Dwrite(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0, where << ": write failed");
}

}  // namespace

void Hdf5File::write_f32(const std::string& name, const float* data, const std::vector<int64_t>& shape) {
  write_dataset(file_.get(), where(name), name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, data, shape);
}

void Hdf5File::write_i32(const std::string& name, const int32_t* data, const std::vector<int64_t>& shape) {
  write_dataset(file_.get(), where(name), name, H5T_STD_I32LE, H5T_NATIVE_INT32, data, shape);
}

void Hdf5File::write_strings(const std::string& name, const std::vector<std::string>& values) {
  H5Id type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  std::vector<const char*> ptrs;
  for (const std::string& v : values) ptrs.push_back(v.c_str());
  write_dataset(file_.get(), where(name), name, type.get(), type.get(), ptrs.data(),
                {static_cast<int64_t>(values.size())});
}

void Hdf5File::create_group(const std::string& name) {
  if (exists(name)) return;
  H5Id lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  H5Id g(H5Gcreate2(file_.get(), name.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  TL_CHECK(g.valid(), where(name) << ": cannot create group");
}

void Hdf5File::remove(const std::string& name) {
  TL_CHECK(exists(name), where(name) << ": not found, cannot remove it");
  TL_CHECK(H5Ldelete(file_.get(), name.c_str(), H5P_DEFAULT) >= 0, where(name) << ": cannot remove it");
}

bool Hdf5File::has_attribute(const std::string& object, const std::string& name) const {
  if (!exists(object)) return false;
  return H5Aexists(open_object(object).get(), name.c_str()) > 0;
}

std::vector<std::string> Hdf5File::attribute_names(const std::string& object) const {
  H5Id o = open_object(object);
  H5O_info_t info;
  TL_CHECK(H5Oget_info(o.get(), &info) >= 0, where(object) << ": cannot read its attributes");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    const ssize_t len = H5Aget_name_by_idx(o.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    TL_CHECK(len >= 0, where(object) << ": cannot read attribute " << i);
    std::string name(static_cast<size_t>(len), '\0');
    H5Aget_name_by_idx(o.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1, H5P_DEFAULT);
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

H5Id Hdf5File::open_attribute(const std::string& object, const std::string& name) const {
  H5Id o = open_object(object);
  TL_CHECK(H5Aexists(o.get(), name.c_str()) > 0, where(object) << ": has no attribute '" << name << "'");
  H5Id a(H5Aopen(o.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  TL_CHECK(a.valid(), where(object) << ": cannot open attribute '" << name << "'");
  return a;
}

std::vector<std::string> Hdf5File::read_string_list_attribute(const std::string& object,
                                                              const std::string& name) const {
  H5Id a = open_attribute(object, name);
  H5Id type(H5Aget_type(a.get()), H5Tclose);
  H5Id space(H5Aget_space(a.get()), H5Sclose);
  TL_CHECK(kind_of(type.get()) == H5Kind::string,
           where(object) << ": attribute '" << name << "' is not a string attribute");
  const int64_t count = count_of(shape_of(space.get()));
  try {
    return read_string_values(type.get(), static_cast<size_t>(count),
                              [&](hid_t mem, void* buf) { return H5Aread(a.get(), mem, buf); });
  } catch (const Error& e) {
    TL_FAIL(where(object) << ": attribute '" << name << "': " << e.what());
  }
}

std::string Hdf5File::read_string_attribute(const std::string& object, const std::string& name) const {
  const std::vector<std::string> values = read_string_list_attribute(object, name);
  TL_CHECK(values.size() == 1, where(object) << ": attribute '" << name << "' holds " << values.size()
                                             << " strings, expected one");
  return values[0];
}

double Hdf5File::read_number_attribute(const std::string& object, const std::string& name) const {
  H5Id a = open_attribute(object, name);
  H5Id type(H5Aget_type(a.get()), H5Tclose);
  H5Id space(H5Aget_space(a.get()), H5Sclose);
  const H5Kind kind = kind_of(type.get());
  TL_CHECK((kind == H5Kind::float_ || kind == H5Kind::integer) && count_of(shape_of(space.get())) == 1,
           where(object) << ": attribute '" << name << "' is not a single number");
  double value = 0;
  TL_CHECK(H5Aread(a.get(), H5T_NATIVE_DOUBLE, &value) >= 0,
           where(object) << ": attribute '" << name << "' cannot be read");
  return value;
}

namespace {

void replace_attribute(hid_t object, const std::string& name) {
  if (H5Aexists(object, name.c_str()) > 0) H5Adelete(object, name.c_str());
}

}  // namespace

void Hdf5File::write_string_attribute(const std::string& object, const std::string& name, const std::string& value) {
  write_string_list_attribute(object, name, {value});
}

void Hdf5File::write_string_list_attribute(const std::string& object, const std::string& name,
                                           const std::vector<std::string>& values) {
  H5Id o = open_object(object);
  replace_attribute(o.get(), name);
  H5Id type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  H5Id space(values.size() == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, std::vector<hsize_t>{values.size()}.data(), nullptr),
             H5Sclose);
  H5Id a(H5Acreate2(o.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  TL_CHECK(a.valid(), where(object) << ": cannot create attribute '" << name << "'");
  std::vector<const char*> ptrs;
  for (const std::string& v : values) ptrs.push_back(v.c_str());
  TL_CHECK(H5Awrite(a.get(), type.get(), ptrs.data()) >= 0, where(object) << ": cannot write attribute '" << name << "'");
}

void Hdf5File::write_number_attribute(const std::string& object, const std::string& name, double value) {
  H5Id o = open_object(object);
  replace_attribute(o.get(), name);
  H5Id space(H5Screate(H5S_SCALAR), H5Sclose);
  H5Id a(H5Acreate2(o.get(), name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  TL_CHECK(a.valid() && H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &value) >= 0,
           where(object) << ": cannot write attribute '" << name << "'");
}

void Hdf5File::remove_attribute(const std::string& object, const std::string& name) {
  H5Id o = open_object(object);
  if (H5Aexists(o.get(), name.c_str()) > 0)
    TL_CHECK(H5Adelete(o.get(), name.c_str()) >= 0, where(object) << ": cannot remove attribute '" << name << "'");
}

}  // namespace tl
