// ImageFolder: torchvision's folder layout, root/<class>/<...>/<image>.
//
// As torchvision.datasets.ImageFolder does:
//   - classes are the sub-folders of root, sorted by name (Python's sorted(): by code point,
//     which for UTF-8 names is plain byte order; uppercase before lowercase);
//   - samples are found recursively under each class folder, visited in sorted order;
//   - a file is an image by its extension, case-insensitive: .jpg .jpeg .png .bmp (the part of
//     torchvision's IMG_EXTENSIONS that tl decodes).
// Departures, on purpose:
//   - hidden files and folders (name starting with '.') are skipped (torchvision would make
//     e.g. ".ipynb_checkpoints" a class);
//   - files with an image extension tl cannot decode (.gif .tif .tiff .webp .ppm .pgm) are an
//     error naming the file, not silently dropped (torchvision would load them); other files
//     (.txt, .csv, ...) are ignored, as torchvision ignores them.
// Bad input: no root, no class folder, a class folder without images, an unsupported image:
// each a tl::Error naming the folder or file. With skip_bad, the last two become a warning on
// stderr and are counted (skipped_files()); an empty class keeps its label, with no samples.
// Decoding errors surface when a sample is loaded (see BatchLoader's skip_bad).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "loaders/image_dataset.h"
#include "loaders/image_decode.h"

namespace tl {

struct ImageFolderOptions {
  bool skip_bad = false;
  DecodeOptions decode;
};

struct ImageSample {
  std::string path;
  int32_t label = 0;
};

class ImageFolder : public ImageDataset {
 public:
  static std::shared_ptr<ImageFolder> scan(const std::string& root, const ImageFolderOptions& options = {});

  size_t size() const override { return samples_.size(); }
  int32_t label(size_t index) const override { return samples_.at(index).label; }
  std::string name(size_t index) const override { return samples_.at(index).path; }
  Image load(size_t index) const override { return read_image(samples_.at(index).path, options_.decode); }
  const std::vector<std::string>& classes() const override { return classes_; }

  const std::string& root() const { return root_; }
  const std::vector<ImageSample>& samples() const { return samples_; }
  // What skip_bad skipped while scanning: "<path>: <reason>", one per file or empty class.
  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  std::string root_;
  ImageFolderOptions options_;
  std::vector<std::string> classes_;
  std::vector<ImageSample> samples_;
  std::vector<std::string> skipped_;
};

// ".JPG" -> true, ".gif" -> false: the extensions ImageFolder takes as images tl decodes.
bool has_supported_image_extension(const std::string& filename);

}  // namespace tl
