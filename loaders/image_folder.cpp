#include "loaders/image_folder.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "kernels/common/error.h"

namespace tl {
namespace fs = std::filesystem;
namespace {

std::string lower_extension(const std::string& filename) {
  std::string ext = fs::path(filename).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

bool is_hidden(const fs::path& p) { return p.filename().string().starts_with("."); }

// Image extensions torchvision would load but tl cannot decode.
bool has_unsupported_image_extension(const std::string& filename) {
  const std::string ext = lower_extension(filename);
  return ext == ".gif" || ext == ".tif" || ext == ".tiff" || ext == ".webp" || ext == ".ppm" || ext == ".pgm";
}

// Every non-hidden regular file under `dir`, recursively, skipping hidden folders, sorted by
// path (the order of torchvision's sorted(os.walk(...)) with sorted file names).
std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec);
  TL_CHECK(!ec, "image folder: cannot list '" << dir.string() << "': " << ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    TL_CHECK(!ec, "image folder: cannot list '" << dir.string() << "': " << ec.message());
    if (is_hidden(it->path())) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) files.push_back(it->path());
  }
  // (directory, file name) order: files of a folder before those of its sub-folders' names
  // that sort later, exactly as sorted(os.walk()) then sorted(fnames) visits them.
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    const std::string da = a.parent_path().string(), db = b.parent_path().string();
    return da != db ? da < db : a.filename().string() < b.filename().string();
  });
  return files;
}

}  // namespace

bool has_supported_image_extension(const std::string& filename) {
  const std::string ext = lower_extension(filename);
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

std::shared_ptr<ImageFolder> ImageFolder::scan(const std::string& root, const ImageFolderOptions& options) {
  std::error_code ec;
  TL_CHECK(fs::is_directory(root, ec), "image folder '" << root << "': no such directory");
  auto folder = std::make_shared<ImageFolder>();
  folder->root_ = root;
  folder->options_ = options;
  for (const auto& entry : fs::directory_iterator(root, ec))
    if (entry.is_directory() && !is_hidden(entry.path()))
      folder->classes_.push_back(entry.path().filename().string());
  TL_CHECK(!ec, "image folder '" << root << "': cannot list it: " << ec.message());
  TL_CHECK(!folder->classes_.empty(),
           "image folder '" << root << "': no class sub-folders (expected root/<class>/<image>)");
  std::sort(folder->classes_.begin(), folder->classes_.end());

  auto skip_or_fail = [&](const std::string& what, const std::string& reason) {
    TL_CHECK(options.skip_bad, what << ": " << reason << " (use --skip-bad to skip it)");
    std::cerr << "tl: warning: skipping " << what << ": " << reason << "\n";
    folder->skipped_.push_back(what + ": " + reason);
  };
  for (size_t label = 0; label < folder->classes_.size(); ++label) {
    const fs::path class_dir = fs::path(root) / folder->classes_[label];
    size_t found = 0;
    for (const fs::path& file : files_under(class_dir)) {
      const std::string name = file.filename().string();
      if (has_supported_image_extension(name)) {
        folder->samples_.push_back({file.string(), static_cast<int32_t>(label)});
        ++found;
      } else if (has_unsupported_image_extension(name)) {
        skip_or_fail("image '" + file.string() + "'",
                     "format " + lower_extension(name) + " is not supported (tl reads .jpg .jpeg .png .bmp)");
      }
    }
    if (found == 0)
      skip_or_fail("class folder '" + class_dir.string() + "'", "has no images (.jpg .jpeg .png .bmp)");
  }
  return folder;
}

}  // namespace tl
