// NormalizeParams: how a pretrained model expects its input pixels, as one formula.
//
//   out[c] = (pixel[src(c)] * scale - mean[c]) / std[c]
//
// where pixel is the uint8 RGB value and src(c) = c, or 2 - c when bgr (the channel order the
// model was trained with). The presets:
//   torchvision: RGB, scale 1/255, mean 0.485/0.456/0.406, std 0.229/0.224/0.225
//   caffe      : BGR, scale 1, mean 103.939/116.779/123.68 (B, G, R), std 1  (Keras ResNet50)
//   tf         : RGB, scale 1/127.5, mean 1, std 1, i.e. x/127.5 - 1
// Shared by the CPU and CUDA normalization kernels and stored with weights and checkpoints.
#pragma once

namespace tl {

struct NormalizeParams {
  bool bgr = false;
  float scale = 1.0f;
  float mean[3] = {0.0f, 0.0f, 0.0f};  // in the model's channel order
  float std[3] = {1.0f, 1.0f, 1.0f};   // in the model's channel order

  static NormalizeParams torchvision() {
    return {false, 1.0f / 255.0f, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
  }
  static NormalizeParams caffe() { return {true, 1.0f, {103.939f, 116.779f, 123.68f}, {1.0f, 1.0f, 1.0f}}; }
  static NormalizeParams tf() { return {false, 1.0f / 127.5f, {1.0f, 1.0f, 1.0f}, {1.0f, 1.0f, 1.0f}}; }
};

}  // namespace tl
