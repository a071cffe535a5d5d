#include "loaders/image_prediction.h"

#include "engine/resnet_forward.h"
#include "loaders/feature_extraction.h"
#include "loaders/image_list.h"

namespace tl {

std::vector<ImagePrediction> predict_images(const ResNet& net, const BackboneIdentity& backbone,
                                            const HeadCheckpoint& checkpoint,
                                            const std::vector<std::string>& paths,
                                            const ImageTransform& transform, int k,
                                            const ExtractionOptions& extraction) {
  checkpoint.require_backbone(backbone);
  TL_CHECK(checkpoint.preprocessing == net.preprocessing, "the head was trained with preprocessing "
                                                              << checkpoint.preprocessing.describe()
                                                              << " but the backbone uses "
                                                              << net.preprocessing.describe());
  const int64_t features_given = pooled_feature_dim(net, checkpoint.pooled_stages);
  TL_CHECK(checkpoint.config.in_features == features_given,
           "the head expects " << checkpoint.config.in_features << " features, the backbone's "
                               << pooled_stages_name(checkpoint.pooled_stages) << " gives " << features_given);
  // Labels are unknown: 0 stands in (extraction carries labels along but they are not used).
  auto images = ImageList::create(paths, std::vector<int32_t>(paths.size(), 0), checkpoint.class_names);
  ExtractionOptions options = extraction;
  options.views = 1;
  options.skip_bad = false;  // every path named must be predicted or be an error
  options.pooled_stages = checkpoint.pooled_stages;
  const FeatureSet features = extract_features(net, images, transform, options);
  auto head = checkpoint.make_head();
  const auto top = predict_top_k(*head, features.features, k);
  std::vector<ImagePrediction> out;
  for (size_t i = 0; i < paths.size(); ++i) {
    ImagePrediction p{paths[i], top[i], {}};
    for (const ClassProbability& c : top[i]) p.names.push_back(checkpoint.class_names[c.class_index]);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace tl
