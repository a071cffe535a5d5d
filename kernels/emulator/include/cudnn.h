// Emulated build: cuDNN is NOT emulated. This header declares the handle, descriptor and
// status types so that baseline sources compile; TL_CUDNN_CHECK (kernels/cuda/cudnn_check.h)
// turns every checked cuDNN call into a tl::Error saying so. Tests comparing against cuDNN
// skip themselves in this build with TL_REQUIRE_VENDOR_LIBS() (tests/common/gpu.h).
#pragma once

#include <cstddef>

struct name##_emulated;
using name##_t = name##_emulated*;
inline int name##Destroy_unused(name##_t) { return 0; }

struct cudnnContext;
using cudnnHandle_t = cudnnContext*;
struct cudnnTensorStruct;
using cudnnTensorDescriptor_t = cudnnTensorStruct*;
struct cudnnFilterStruct;
using cudnnFilterDescriptor_t = cudnnFilterStruct*;
struct cudnnConvolutionStruct;
using cudnnConvolutionDescriptor_t = cudnnConvolutionStruct*;
struct cudnnActivationStruct;
using cudnnActivationDescriptor_t = cudnnActivationStruct*;
struct cudnnPoolingStruct;
using cudnnPoolingDescriptor_t = cudnnPoolingStruct*;

enum cudnnStatus_t { CUDNN_STATUS_SUCCESS = 0, CUDNN_STATUS_NOT_SUPPORTED = 9 };
enum cudnnConvolutionFwdAlgo_t : int {};
enum cudnnConvolutionBwdDataAlgo_t : int {};
enum cudnnConvolutionBwdFilterAlgo_t : int {};

inline cudnnStatus_t cudnnCreate(cudnnHandle_t* handle) {
  *handle = nullptr;
  return CUDNN_STATUS_NOT_SUPPORTED;
}
inline cudnnStatus_t cudnnDestroy(cudnnHandle_t) { return CUDNN_STATUS_SUCCESS; }
inline cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t) { return CUDNN_STATUS_SUCCESS; }
inline cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t) { return CUDNN_STATUS_SUCCESS; }
inline cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t) {
  return CUDNN_STATUS_SUCCESS;
}
inline cudnnStatus_t cudnnDestroyActivationDescriptor(cudnnActivationDescriptor_t) {
  return CUDNN_STATUS_SUCCESS;
}
inline cudnnStatus_t cudnnDestroyPoolingDescriptor(cudnnPoolingDescriptor_t) { return CUDNN_STATUS_SUCCESS; }
inline const char* cudnnGetErrorString(cudnnStatus_t) {
  return "cuDNN is not available in the emulated build";
}
