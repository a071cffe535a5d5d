#include "loaders/image_list.h"

#include "kernels/common/error.h"

namespace tl {

std::shared_ptr<ImageList> ImageList::create(std::vector<std::string> paths, std::vector<int32_t> labels,
                                             std::vector<std::string> classes) {
  TL_CHECK(paths.size() == labels.size(),
           "image list: " << paths.size() << " paths but " << labels.size() << " labels");
  for (size_t i = 0; i < labels.size(); ++i)
    TL_CHECK(labels[i] >= 0 && labels[i] < static_cast<int32_t>(classes.size()),
             "image list: label " << labels[i] << " of '" << paths[i] << "' outside the " << classes.size()
                                  << " classes");
  auto list = std::make_shared<ImageList>();
  list->paths_ = std::move(paths);
  list->labels_ = std::move(labels);
  list->classes_ = std::move(classes);
  return list;
}

}  // namespace tl
