// Learning-rate schedules, evaluated per epoch (0-based) in closed form, matching PyTorch's
// schedulers stepped once per epoch:
//   constant                       lr = base
//   step   (StepLR(step, gamma))   lr = base * gamma^floor(e / step)
//   cosine (CosineAnnealingLR)     lr = eta_min + (base - eta_min) * (1 + cos(pi * e / t_max)) / 2
// With warmup_epochs W > 0 the first W epochs ramp linearly (LinearLR(start_factor, 1.0, W)):
//   lr = base * (s + (1 - s) * e / W)
// and the main schedule then runs on e - W (SequentialLR with milestone W).
#pragma once

#include <string>

namespace tl {

enum class ScheduleKind { constant, step, cosine };
ScheduleKind parse_schedule_kind(const std::string& name);  // "constant" | "step" | "cosine"

struct LrSchedule {
  ScheduleKind kind = ScheduleKind::constant;
  int step_size = 7;     // step
  float gamma = 0.1f;    // step
  int t_max = 0;         // cosine; 0 means "the epochs after warmup"
  float eta_min = 0.0f;  // cosine
  int warmup_epochs = 0;
  float warmup_start_factor = 0.1f;

  // The learning rate of `epoch` for a run of `total_epochs`.
  float lr_at(float base_lr, int epoch, int total_epochs) const;
};

}  // namespace tl
