// ImageFolder's class order, sample discovery and bad layouts; seeded splits.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "loaders/dataset_split.h"
#include "loaders/image_encode.h"
#include "loaders/image_folder.h"
#include "tests/loaders/image_test_util.h"

namespace tl {
namespace {

namespace fs = std::filesystem;
using test::expect_error;

Image solid(int h, int w, uint8_t value) {
  return {h, w, std::vector<uint8_t>(static_cast<size_t>(h) * w * 3, value)};
}

void put_png(const fs::path& path, uint8_t value = 100) {
  fs::create_directories(path.parent_path());
  write_file_bytes(path.string(), encode_png(solid(5, 7, value)));
}

void put_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  write_file_bytes(path.string(), std::vector<uint8_t>(text.begin(), text.end()));
}

TEST(ImageFolder, SortsClassesAndFindsImagesLikeTorchvision) {
  const fs::path root = test::scratch_dir("folder_order");
  // Python's sorted() on these names: uppercase before lowercase, "Z1" < "Z10" < "Z2".
  for (const char* cls : {"b_dog", "a_bird", "Z2", "Z10", "Z1", "A_cat"}) put_png(root / cls / "x.png");
  put_png(root / "b_dog" / "B.JPG");  // extension case does not matter
  put_png(root / "b_dog" / "a.PnG");
  put_png(root / "b_dog" / "c.jpeg");
  put_png(root / "b_dog" / "d.bmp");
  put_png(root / "b_dog" / "nested" / "deeper.png");  // found recursively
  put_png(root / "b_dog" / ".hidden.png");            // hidden file: skipped
  put_png(root / "b_dog" / ".cache" / "x.png");       // inside a hidden folder: skipped
  put_text(root / "b_dog" / "notes.txt", "not an image, ignored like torchvision does");
  put_png(root / ".ipynb_checkpoints" / "x.png");  // hidden folder: not a class
  put_text(root / "README.txt", "a file at the root is not a class");

  const auto folder = ImageFolder::scan(root.string());
  EXPECT_EQ(folder->classes(), (std::vector<std::string>{"A_cat", "Z1", "Z10", "Z2", "a_bird", "b_dog"}));
  std::vector<std::string> dog_files;
  for (const ImageSample& s : folder->samples())
    if (s.label == 5) dog_files.push_back(fs::relative(s.path, root / "b_dog").string());
  // sorted(os.walk()) then sorted(file names): "B.JPG" < "a.PnG" (byte order), the nested
  // folder's files after the folder's own.
  EXPECT_EQ(dog_files,
            (std::vector<std::string>{"B.JPG", "a.PnG", "c.jpeg", "d.bmp", "x.png", "nested/deeper.png"}));
  EXPECT_EQ(folder->size(), 5u + dog_files.size());
  EXPECT_TRUE(folder->skipped().empty());
  EXPECT_EQ(folder->load(0).width, 7);
}

TEST(ImageFolder, BadLayoutsAreErrorsOrSkippedAndCounted) {
  const fs::path root = test::scratch_dir("folder_bad");
  expect_error([&] { ImageFolder::scan((root / "missing").string()); }, {"missing", "no such directory"});
  expect_error([&] { ImageFolder::scan(root.string()); }, {root.string(), "no class sub-folders"});

  put_png(root / "cat" / "1.png");
  fs::create_directories(root / "empty");
  put_text(root / "empty" / "readme.txt", "no images here");
  expect_error([&] { ImageFolder::scan(root.string()); },
               {(root / "empty").string(), "has no images", "--skip-bad"});
  put_png(root / "empty" / "1.png");

  write_file_bytes((root / "cat" / "anim.GIF").string(), {'G', 'I', 'F', '8', '9', 'a'});
  expect_error([&] { ImageFolder::scan(root.string()); }, {"anim.GIF", ".gif is not supported"});

  fs::remove(root / "empty" / "1.png");
  ImageFolderOptions skip_bad;
  skip_bad.skip_bad = true;
  const auto folder = ImageFolder::scan(root.string(), skip_bad);
  EXPECT_EQ(folder->classes(), (std::vector<std::string>{"cat", "empty"}))
      << "an empty class keeps its label";
  EXPECT_EQ(folder->size(), 1u);
  ASSERT_EQ(folder->skipped().size(), 2u);
  EXPECT_NE(folder->skipped()[0].find("anim.GIF"), std::string::npos);
  EXPECT_NE(folder->skipped()[1].find("empty"), std::string::npos);
}

// Labels only: 10, 20 and 30 samples of classes 0, 1, 2.
class LabelsOnly : public ImageDataset {
 public:
  LabelsOnly() {
    for (int c = 0; c < 3; ++c)
      for (int i = 0; i < 10 * (c + 1); ++i) labels_.push_back(c);
  }
  size_t size() const override { return labels_.size(); }
  int32_t label(size_t i) const override { return labels_.at(i); }
  std::string name(size_t i) const override { return "sample" + std::to_string(i); }
  Image load(size_t) const override { return solid(1, 1, 0); }
  const std::vector<std::string>& classes() const override { return classes_; }

 private:
  std::vector<int32_t> labels_;
  std::vector<std::string> classes_{"a", "b", "c"};
};

std::vector<int> per_class(const DatasetSubset& s) {
  std::vector<int> counts(3, 0);
  for (size_t i = 0; i < s.size(); ++i) ++counts[static_cast<size_t>(s.label(i))];
  return counts;
}

TEST(DatasetSplit, StratifiedSeededAndComplete) {
  const auto data = std::make_shared<LabelsOnly>();
  const DatasetSplit split = split_by_ratio(data, 0.2, 42);
  EXPECT_EQ(per_class(*split.validation), (std::vector<int>{2, 4, 6}));
  EXPECT_EQ(per_class(*split.train), (std::vector<int>{8, 16, 24}));
  std::set<size_t> all(split.train->indices().begin(), split.train->indices().end());
  all.insert(split.validation->indices().begin(), split.validation->indices().end());
  EXPECT_EQ(all.size(), data->size()) << "disjoint and complete";
  EXPECT_TRUE(std::is_sorted(split.train->indices().begin(), split.train->indices().end()));
  EXPECT_EQ(split_by_ratio(data, 0.2, 42).validation->indices(), split.validation->indices()) << "same seed";
  EXPECT_NE(split_by_ratio(data, 0.2, 43).validation->indices(), split.validation->indices()) << "other seed";
  EXPECT_EQ(split.validation->classes(), data->classes());

  const DatasetSplit plain = split_by_ratio(data, 0.25, 42, /*stratified=*/false);
  EXPECT_EQ(plain.validation->size(), 15u);
  EXPECT_EQ(plain.train->size(), 45u);
  expect_error([&] { split_by_ratio(data, 1.0, 1); }, {"fraction must be in [0, 1)"});
}

TEST(DatasetSplit, SeparateFoldersMustHaveTheSameClasses) {
  const fs::path root = test::scratch_dir("folder_val");
  put_png(root / "train" / "cat" / "1.png");
  put_png(root / "train" / "dog" / "1.png");
  put_png(root / "val" / "cat" / "1.png");
  put_png(root / "val" / "cow" / "1.png");
  const auto train = ImageFolder::scan((root / "train").string());
  const auto val = ImageFolder::scan((root / "val").string());
  require_same_classes(*train, "train", *train, "train");
  expect_error([&] { require_same_classes(*train, "train", *val, "val"); },
               {"'train'", "'val'", "'dog' vs 'cow'"});
}

}  // namespace
}  // namespace tl
