#include "loaders/idx_dataset.h"

#include "kernels/common/error.h"
#include "loaders/idx_file.h"

namespace tl {

std::shared_ptr<IdxDataset> IdxDataset::open(const std::string& images_path, const std::string& labels_path,
                                             std::vector<std::string> class_names) {
  IdxArray images = read_idx(images_path);
  const IdxArray labels = read_idx(labels_path);
  TL_CHECK(images.shape.size() == 3, "IDX images '" << images_path
                                                    << "': expected 3 dimensions (N, H, W), got "
                                                    << images.shape.size());
  TL_CHECK(labels.shape.size() == 1,
           "IDX labels '" << labels_path << "': expected 1 dimension (N), got " << labels.shape.size());
  TL_CHECK(images.shape[0] == labels.shape[0], "IDX images '" << images_path << "' hold " << images.shape[0]
                                                              << " images but labels '" << labels_path
                                                              << "' hold " << labels.shape[0]);
  TL_CHECK(images.shape[1] > 0 && images.shape[2] > 0, "IDX images '" << images_path << "': empty images");
  auto dataset = std::make_shared<IdxDataset>();
  dataset->images_path_ = images_path;
  dataset->height_ = static_cast<int>(images.shape[1]);
  dataset->width_ = static_cast<int>(images.shape[2]);
  dataset->pixels_ = std::move(images.data);
  dataset->classes_ = std::move(class_names);
  dataset->labels_.reserve(labels.data.size());
  for (size_t i = 0; i < labels.data.size(); ++i) {
    TL_CHECK(labels.data[i] < dataset->classes_.size(),
             "IDX labels '" << labels_path << "': label " << int{labels.data[i]} << " at index " << i
                            << " but only " << dataset->classes_.size() << " classes");
    dataset->labels_.push_back(labels.data[i]);
  }
  return dataset;
}

Image IdxDataset::load(size_t index) const {
  TL_CHECK(index < size(),
           "IDX dataset '" << images_path_ << "': index " << index << " out of range (" << size() << ")");
  Image image = Image::zeros(height_, width_);
  const uint8_t* grey = pixels_.data() + index * static_cast<size_t>(height_) * width_;
  for (size_t p = 0; p < static_cast<size_t>(height_) * width_; ++p)
    image.pixels[3 * p] = image.pixels[3 * p + 1] = image.pixels[3 * p + 2] = grey[p];
  return image;
}

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

std::shared_ptr<IdxDataset> fashion_mnist(const std::string& dir, bool train) {
  const std::string prefix = dir + "/" + (train ? "train" : "t10k");
  return IdxDataset::open(prefix + "-images-idx3-ubyte.gz", prefix + "-labels-idx1-ubyte.gz",
                          fashion_mnist_classes());
}

}  // namespace tl
