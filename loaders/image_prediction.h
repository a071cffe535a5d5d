// Prediction on new images: frozen backbone + a trained head from a checkpoint -> the top-k
// classes of each image with their softmax probabilities.
#pragma once

#include <string>
#include <vector>

#include "engine/predict.h"
#include "engine/resnet.h"
#include "loaders/feature_extraction.h"
#include "loaders/head_checkpoint.h"
#include "loaders/image_transform.h"

namespace tl {

struct ImagePrediction {
  std::string path;
  std::vector<ClassProbability> top;  // most probable first
  std::vector<std::string> names;     // class names of `top`, same order
};

// The backbone runs as `extraction` says (batch size, device, precision, kernels); the head
// runs on the CPU (a few K x F multiply-adds per image). Refuses (tl::Error) a checkpoint trained on another backbone (identity), with another
// preprocessing than the net's, or with another feature size.
std::vector<ImagePrediction> predict_images(const ResNet& net, const BackboneIdentity& backbone,
                                            const HeadCheckpoint& checkpoint,
                                            const std::vector<std::string>& paths,
                                            const ImageTransform& transform, int k,
                                            const ExtractionOptions& extraction = {});

}  // namespace tl
