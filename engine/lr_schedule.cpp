#include "engine/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "kernels/common/error.h"

namespace tl {

ScheduleKind parse_schedule_kind(const std::string& name) {
  if (name == "constant") return ScheduleKind::constant;
  if (name == "step") return ScheduleKind::step;
  if (name == "cosine") return ScheduleKind::cosine;
  TL_FAIL("unknown learning-rate schedule '" << name << "' (expected constant, step or cosine)");
}

float LrSchedule::lr_at(float base_lr, int epoch, int total_epochs) const {
  TL_CHECK(epoch >= 0, "lr schedule: negative epoch " << epoch);
  TL_CHECK(warmup_epochs >= 0, "lr schedule: negative warmup_epochs " << warmup_epochs);
  const double base = base_lr;
  if (epoch < warmup_epochs) {
    const double s = warmup_start_factor;
    return static_cast<float>(base * (s + (1.0 - s) * epoch / warmup_epochs));
  }
  const int e = epoch - warmup_epochs;
  switch (kind) {
    case ScheduleKind::constant:
      return base_lr;
    case ScheduleKind::step:
      TL_CHECK(step_size > 0, "step schedule: step_size must be positive, got " << step_size);
      return static_cast<float>(base * std::pow(static_cast<double>(gamma), e / step_size));
    case ScheduleKind::cosine: {
      const int period = t_max > 0 ? t_max : std::max(1, total_epochs - warmup_epochs);
      return static_cast<float>(eta_min +
                                (base - eta_min) * (1.0 + std::cos(std::numbers::pi * e / period)) / 2.0);
    }
  }
  return base_lr;
}

}  // namespace tl
