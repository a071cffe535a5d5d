// Hdf5File: RAII access to an HDF5 file through the HDF5 C library, for every file tl reads
// or writes (weights, head checkpoints, feature caches). Every error names the file and the
// object (dataset, group or attribute) and what was expected.
//
//   Hdf5File f = Hdf5File::open_read("resnet50.h5");
//   std::vector<int64_t> shape;
//   std::vector<float> w = f.read_f32("conv1.weight", &shape);
//   std::string arch = f.read_string_attribute("/", "architecture");
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

// Owns one HDF5 identifier and closes it with the matching H5*close function.
class H5Id {
 public:
  using Closer = herr_t (*)(hid_t);
  H5Id() = default;
  H5Id(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  H5Id(H5Id&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = H5I_INVALID_HID; }
  H5Id& operator=(H5Id&& other) noexcept;
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;
  ~H5Id() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

enum class H5Kind { float_, integer, string, other };

struct DatasetInfo {
  std::vector<int64_t> shape;
  H5Kind kind = H5Kind::other;
  size_t element_bytes = 0;
  std::string type_name() const;  // "float32", "float64", "int32", "string", ...
};

class Hdf5File {
 public:
  static Hdf5File open_read(const std::string& path);  // missing / not HDF5 / unreadable: tl::Error
  static Hdf5File create(const std::string& path);     // creates or truncates
  static Hdf5File open_write(const std::string& path); // an existing file, for reading and writing

  const std::string& path() const { return path_; }

  // Object paths are relative to the root ("conv1.weight") or absolute ("/model_weights/x").
  bool exists(const std::string& object) const;  // a dataset or group of that path exists
  bool is_group(const std::string& object) const;
  bool is_dataset(const std::string& object) const;
  std::vector<std::string> children(const std::string& group = "/") const;  // sorted names

  DatasetInfo dataset_info(const std::string& name) const;
  // Reads a float32 (or float64, converted) dataset; any other type is an error naming it.
  std::vector<float> read_f32(const std::string& name, std::vector<int64_t>* shape = nullptr) const;
  std::vector<int32_t> read_i32(const std::string& name, std::vector<int64_t>* shape = nullptr) const;
  std::vector<std::string> read_strings(const std::string& name) const;  // 1-D string dataset

  void write_f32(const std::string& name, const float* data, const std::vector<int64_t>& shape);
  void write_i32(const std::string& name, const int32_t* data, const std::vector<int64_t>& shape);
  void write_strings(const std::string& name, const std::vector<std::string>& values);
  void create_group(const std::string& name);  // creates missing parents too
  void remove(const std::string& name);        // unlinks a dataset or group (the space is not reclaimed)

  bool has_attribute(const std::string& object, const std::string& name) const;
  std::vector<std::string> attribute_names(const std::string& object) const;
  // A scalar string attribute (fixed or variable length); a 1-element string array is accepted.
  std::string read_string_attribute(const std::string& object, const std::string& name) const;
  // A string array attribute (fixed or variable length), e.g. Keras' layer_names.
  std::vector<std::string> read_string_list_attribute(const std::string& object, const std::string& name) const;
  double read_number_attribute(const std::string& object, const std::string& name) const;

  void write_string_attribute(const std::string& object, const std::string& name, const std::string& value);
  void write_string_list_attribute(const std::string& object, const std::string& name,
                                   const std::vector<std::string>& values);
  void write_number_attribute(const std::string& object, const std::string& name, double value);
  void remove_attribute(const std::string& object, const std::string& name);  // absent: no-op

 private:
  Hdf5File(std::string path, H5Id file) : path_(std::move(path)), file_(std::move(file)) {}
  H5Id open_object(const std::string& object) const;
  H5Id open_attribute(const std::string& object, const std::string& name) const;
  std::string where(const std::string& object) const;  // "file 'x.h5', dataset 'conv1.weight'"

  std::string path_;
  H5Id file_;
};

}  // namespace tl
