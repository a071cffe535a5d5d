// CUDA kernels of head training, behind the same semantics as the CPU references
// (kernels/cpu/{linear,dropout,softmax_cross_entropy,optimizer}.h and engine/metrics.h's
// in_top_k). Device pointers, work queued on `stream`, no host synchronisation.
// Letters: N rows (batch), I input features, O output features, C classes.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/common/optimizer_math.h"

namespace tl::cuda {

// linear.cu ----------------------------------------------------------------------------------
// y (N, O) = x (N, I) w^T + b, w (O, I), b (O): our GEMM with the bias fused, or (cublas)
// the baseline: the bias broadcast into y, then cuBLAS SGEMM with beta = 1.
void linear_forward(const float* x, const float* w, const float* b, float* y, int64_t n, int64_t in, int64_t out,
                    cudaStream_t stream, bool cublas = false);
// dx = dy w (skipped when dx is null), dw = dy^T x, db = column sums of dy; overwritten. With
// cublas the two GEMMs are cuBLAS's (db is our column sum either way).
void linear_backward(const float* x, const float* w, const float* dy, float* dx, float* dw, float* db, int64_t n,
                     int64_t in, int64_t out, cudaStream_t stream, bool cublas = false);

// dropout.cu ---------------------------------------------------------------------------------
// The CPU's counter-based mask, bit for bit: keep[i] = counter_uniform(seed, offset + i) >= p.
void dropout_forward(const float* x, float* y, uint8_t* mask, int64_t n, float p, uint64_t seed, uint64_t offset,
                     cudaStream_t stream);
void dropout_backward(const float* dy, const uint8_t* mask, float* dx, int64_t n, float p, cudaStream_t stream);
void relu_backward(const float* y, const float* dy, float* dx, int64_t n, cudaStream_t stream);

// softmax_cross_entropy.cu -------------------------------------------------------------------
// Result of one loss evaluation, written on the device: the mean loss and the number of labels
// outside [0, C) (the op reads both back with the loss and reports bad labels).
struct CrossEntropyResult {
  float loss;
  int32_t bad_labels;
  float weight_total;      // W = sum of the rows' class weights (N without weights)
  float class_weight_sum;  // S = sum of the class weights (C without weights)
};
// PyTorch's F.cross_entropy (mean, optional class weights (C) and label smoothing); dlogits
// (N, C) written when not null. `row_loss` is scratch of N floats.
void softmax_cross_entropy(const float* logits, const int32_t* labels, const float* class_weights, int64_t n,
                           int64_t c, float label_smoothing, float* dlogits, float* row_loss,
                           CrossEntropyResult* result, cudaStream_t stream);
// probs (N, C) = softmax of each row.
void softmax_rows(const float* logits, float* probs, int64_t n, int64_t c, cudaStream_t stream);

// optimizer.cu -------------------------------------------------------------------------------
void sgd_step(float* param, const float* grad, float* momentum_buffer, int64_t n, const SgdHyper& h,
              cudaStream_t stream);
void adamw_step(float* param, const float* grad, float* exp_avg, float* exp_avg_sq, int64_t n, const AdamWHyper& h,
                cudaStream_t stream);

// metrics.cu ---------------------------------------------------------------------------------
// Per row of logits (N, C): predicted[i] = arg-max (lowest index on ties); in_top_k[i] = 1 when
// fewer than k logits are strictly greater than the label's (engine/metrics.h's in_top_k).
void classify_rows(const float* logits, const int32_t* labels, int64_t n, int64_t c, int k, int32_t* predicted,
                   uint8_t* in_top_k, cudaStream_t stream);

}  // namespace tl::cuda
