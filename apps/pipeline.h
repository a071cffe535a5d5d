// What the data subcommands (extract, train, eval, predict) share: opening a backbone and an
// image folder, choosing the input transform, and running the frozen backbone over a dataset
// with a progress bar and the feature cache.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "apps/commands.h"
#include "engine/device.h"
#include "engine/resnet.h"
#include "engine/trainer.h"
#include "loaders/feature_cache.h"
#include "loaders/head_checkpoint.h"
#include "loaders/image_dataset.h"
#include "loaders/image_transform.h"

namespace tl::app {

// Options of the commands that read images.
struct DataOptions {
  bool skip_bad = false;  // --skip-bad: skip unreadable images / empty classes with a warning
  int image_size = 0;     // --image-size: plain resize to N x N (0: the backbone's default)
};
void add_data_options(CLI::App& cmd, DataOptions& data);

struct Backbone {
  ResNet net;
  BackboneIdentity identity;
};
Backbone load_backbone(const std::string& weights_path);

// The input transform for `net`: --image-size N -> resize to N x N; else a net trained on small
// inputs (input_size < 224, e.g. the demo's 32) -> resize to that; else Resize(256) + CenterCrop(224).
ImageTransform transform_for(const ResNet& net, int image_size);

// An ImageFolder (torchvision layout) at `dir`, honouring --skip-bad.
std::shared_ptr<ImageDataset> open_image_folder(const std::string& dir, const DataOptions& data);

// The backbone's features of `dataset` on `device` (the pooled outputs of `pooled_stages`,
// engine/resnet_forward.h), with a progress bar on stderr labelled `label`. With a non-empty
// `cache_path`, reused when its key matches, else computed and saved there (*reused says which).
FeatureSet backbone_features(const Backbone& backbone, std::shared_ptr<const ImageDataset> dataset,
                             const ImageTransform& transform, const CommonOptions& common, Device device,
                             bool skip_bad, const std::string& label, const std::string& cache_path = "",
                             bool* reused = nullptr, const std::vector<int>& pooled_stages = {4});

// The default feature cache of a data folder and backbone: ~/.cache/tl/features-<hash>.h5
// ($XDG_CACHE_HOME/tl when set), so that runs on the same images reuse the backbone's work.
std::string default_cache_path(const std::string& data_dir, const Backbone& backbone,
                               const ImageTransform& transform, const std::vector<int>& pooled_stages = {4});

// --features STAGES (extract, train): which stages' pooled outputs are the backbone features,
// e.g. layer4 (the default) or layer2+layer3+layer4 (engine/resnet_forward.h). Bad text is a
// usage error.
void add_features_option(CLI::App& cmd, std::string& features);

// The rows of `set` (one view) whose sample names are those of `subset`, in the subset's
// order; samples missing from the set (skipped as bad) are left out.
LabeledFeatures rows_of(const FeatureSet& set, const ImageDataset& subset);

// One line on `log`: the peak device memory in use since the allocator's peak was last reset
// (backbone_features resets it before extracting), and what tl's caching allocator holds.
void report_device_memory(Device device, const std::string& label, std::ostream& log);

// Progress on stderr: a bar on a terminal, plain lines otherwise.
bool stderr_is_terminal();

}  // namespace tl::app
