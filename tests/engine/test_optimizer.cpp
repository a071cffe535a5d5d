// Optimizers and schedules: hand-worked single steps, PyTorch's scheduler values and
// PyTorch training trajectories (tests/data/training/{schedules,trajectories}.h5, generated
// by tools/gen_training_fixtures.py).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/head.h"
#include "engine/lr_schedule.h"
#include "engine/ops_training.h"
#include "engine/optimizer.h"
#include "loaders/hdf5_file.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

using test::all_close;
using test::Tolerance;

const std::string kData = std::string(TL_TEST_DATA_DIR) + "/training/";

Parameter scalar_parameter(float value, float grad) {
  return {"p", Tensor::from_vector(std::vector<float>{value}, {1}),
          Tensor::from_vector(std::vector<float>{grad}, {1})};
}

TEST(Sgd, HandWorkedMomentumNesterovWeightDecay) {
  // p = 1, g = 0.5, wd = 0.1, momentum 0.9, lr 0.1.
  // step 1: d = 0.5 + 0.1*1 = 0.6; buf = 0.6; Nesterov d = 0.6 + 0.9*0.6 = 1.14; p = 1 - 0.114 = 0.886
  // step 2 (same g): d = 0.5 + 0.0886 = 0.5886; buf = 0.9*0.6 + 0.5886 = 1.1286;
  //         d = 0.5886 + 0.9*1.1286 = 1.60434; p = 0.886 - 0.160434 = 0.725566
  Parameter p = scalar_parameter(1.0f, 0.5f);
  Optimizer opt(OptimizerConfig::sgd(0.1f, 0.9f, 0.1f, true), {p});
  opt.step(0.1f);
  EXPECT_NEAR(p.value.to_vector<float>()[0], 0.886f, 1e-6);
  opt.step(0.1f);
  EXPECT_NEAR(p.value.to_vector<float>()[0], 0.725566f, 1e-6);
  // Plain momentum (no Nesterov): step 1 p = 1 - 0.1*0.6 = 0.94
  Parameter q = scalar_parameter(1.0f, 0.5f);
  Optimizer plain(OptimizerConfig::sgd(0.1f, 0.9f, 0.1f, false), {q});
  plain.step(0.1f);
  EXPECT_NEAR(q.value.to_vector<float>()[0], 0.94f, 1e-6);
  EXPECT_THROW(Optimizer(OptimizerConfig::sgd(0.1f, 0.0f, 0.0f, true), {q}), Error);
}

TEST(AdamW, HandWorkedFirstStepsWithBiasCorrection) {
  // p = 1, g = 0.5, lr 0.1, wd 0.1, betas (0.9, 0.999), eps 1e-8.
  // step 1: p = 1*(1 - 0.01) = 0.99; m = 0.05; v = 0.00025; m_hat = 0.5, v_hat = 0.25;
  //         p = 0.99 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.89
  // step 2: p = 0.89*0.99 = 0.8811; m = 0.095, v = 0.00049975; m_hat = 0.095/0.19 = 0.5,
  //         v_hat = 0.00049975/0.001999 = 0.25 -> p = 0.8811 - 0.1 = 0.7811
  Parameter p = scalar_parameter(1.0f, 0.5f);
  Optimizer opt(OptimizerConfig::adamw(0.1f, 0.1f), {p});
  opt.step(0.1f);
  EXPECT_NEAR(p.value.to_vector<float>()[0], 0.89f, 1e-6);
  opt.step(0.1f);
  EXPECT_NEAR(p.value.to_vector<float>()[0], 0.7811f, 1e-6);
  EXPECT_EQ(opt.steps_taken(), 2);
}

TEST(LrSchedule, MatchesPyTorchSchedulers) {
  const Hdf5File f = Hdf5File::open_read(kData + "schedules.h5");
  const float base = static_cast<float>(f.read_number_attribute("/", "base_lr"));
  const int epochs = static_cast<int>(f.read_number_attribute("/", "epochs"));
  auto lrs = [&](const LrSchedule& s) {
    std::vector<float> out;
    for (int e = 0; e < epochs; ++e) out.push_back(s.lr_at(base, e, epochs));
    return out;
  };
  LrSchedule step;
  step.kind = ScheduleKind::step, step.step_size = 7, step.gamma = 0.1f;
  // PyTorch's StepLR multiplies recursively (lr *= gamma), we use the closed form: float32 rounding.
  EXPECT_TRUE(all_close(lrs(step), f.read_f32("step_7_0.1"), Tolerance{1e-8, 1e-6}));
  LrSchedule cosine;
  cosine.kind = ScheduleKind::cosine, cosine.t_max = 10, cosine.eta_min = 0.001f;
  // CosineAnnealingLR is recursive in PyTorch; it equals the closed form up to double rounding.
  EXPECT_TRUE(all_close(lrs(cosine), f.read_f32("cosine_tmax_10_etamin_0.001"), Tolerance{1e-8, 1e-6}));
  LrSchedule warm;
  warm.kind = ScheduleKind::cosine, warm.warmup_epochs = 3, warm.warmup_start_factor = 0.25f;  // t_max = 17
  EXPECT_TRUE(all_close(lrs(warm), f.read_f32("warmup_3_0.25_cosine_17"), Tolerance{1e-8, 1e-6}));
  EXPECT_EQ(LrSchedule{}.lr_at(0.5f, 9, 10), 0.5f);
  EXPECT_THROW(parse_schedule_kind("exp"), Error);
}

// Replays a PyTorch run: same features, same initial head, same batches, same optimizer.
void replay_trajectory(const std::string& name) {
  const Hdf5File f = Hdf5File::open_read(kData + "trajectories.h5");
  const std::string g = "/" + name;
  auto num = [&](const char* attr) { return f.read_number_attribute(g, attr); };
  HeadConfig config;
  config.kind = parse_head_kind(f.read_string_attribute(g, "head"));
  config.in_features = static_cast<int64_t>(num("in_features"));
  config.hidden = static_cast<int64_t>(num("hidden"));
  config.num_classes = static_cast<int64_t>(num("num_classes"));
  Head head(config);
  std::vector<std::pair<std::string, Tensor>> initial;
  for (const std::string& key : f.children(g + "/initial")) {
    std::vector<int64_t> shape;
    const auto values = f.read_f32(g + "/initial/" + key, &shape);
    initial.emplace_back(key, Tensor::from_vector(values, Shape(shape)));
  }
  head.load_parameters(initial);

  OptimizerConfig opt_config =
      f.read_string_attribute(g, "optimizer") == "sgd"
          ? OptimizerConfig::sgd(static_cast<float>(num("lr")), static_cast<float>(num("momentum")),
                                 static_cast<float>(num("weight_decay")), num("nesterov") != 0)
          : OptimizerConfig::adamw(static_cast<float>(num("lr")), static_cast<float>(num("weight_decay")),
                                   static_cast<float>(num("beta1")), static_cast<float>(num("beta2")),
                                   static_cast<float>(num("eps")));
  Optimizer opt(opt_config, head.parameters());
  CrossEntropyOptions loss_options;
  loss_options.label_smoothing = static_cast<float>(num("label_smoothing"));
  if (f.exists(g + "/class_weights")) loss_options.class_weights = f.read_f32(g + "/class_weights");

  std::vector<int64_t> shape;
  const std::vector<float> feature_values = f.read_f32(g + "/features", &shape);
  const Tensor features = Tensor::from_vector(feature_values, Shape(shape));
  const Tensor labels = Tensor::from_vector(f.read_i32(g + "/labels"), {shape[0]});
  const int64_t batch = static_cast<int64_t>(num("batch_size"));
  const int steps = static_cast<int>(num("steps"));
  std::vector<float> losses;
  for (int s = 0; s < steps; ++s) {
    const int64_t b = s % (shape[0] / batch);
    Tensor dlogits;
    losses.push_back(softmax_cross_entropy(head.forward(features.slice(b * batch, (b + 1) * batch), true),
                                           labels.slice(b * batch, (b + 1) * batch), loss_options, &dlogits));
    head.backward(dlogits);
    opt.step(opt_config.lr);
  }
  // Both runs are float32 but sum in different orders (OpenBLAS vs PyTorch's CPU kernels), so
  // each step differs by rounding (~1e-7 relative); over 30 steps the observed drift is at most
  // 4e-7 relative in the losses. rtol 2e-5 / atol 2e-6 leaves a 50x margin, while a wrong
  // formula (missing bias correction, coupled decay, plain instead of Nesterov momentum) is
  // off by 1e-3 or more within a few steps.
  EXPECT_TRUE(all_close(losses, f.read_f32(g + "/losses"), Tolerance{2e-6, 2e-5})) << name << " losses";
  for (const Parameter& p : head.parameters())
    EXPECT_TRUE(
        all_close(p.value.to_vector<float>(), f.read_f32(g + "/final/" + p.name), Tolerance{1e-5, 1e-4}))
        << name << " final " << p.name;
}

TEST(Trajectory, LinearSgdNesterovWeightDecaySmoothingWeights) { replay_trajectory("linear_sgd"); }
TEST(Trajectory, LinearAdamW) { replay_trajectory("linear_adamw"); }
TEST(Trajectory, MlpSgdNesterovWeightDecay) { replay_trajectory("mlp_sgd"); }
TEST(Trajectory, MlpAdamWSmoothingWeights) { replay_trajectory("mlp_adamw"); }

}  // namespace
}  // namespace tl
