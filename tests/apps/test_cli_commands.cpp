// The data subcommands of `tl` end to end: the built binary is run on a tiny ImageFolder made
// here (two classes of PNGs, one red-ish, one blue-ish) with the small ResNet-18 fixture, and
// its exit codes, stdout JSON and output files (HDF5 read back by tl's loaders, PNGs decoded)
// checked. Then usage errors (exit 2), runtime errors (exit 1), --skip-bad, and the demo in its
// reduced --quick mode.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <sstream>

#include "engine/ops_normalize.h"
#include "engine/ops_training.h"
#include "engine/resnet_forward.h"
#include "loaders/hdf5_file.h"
#include "loaders/head_checkpoint.h"
#include "loaders/image_decode.h"
#include "loaders/image_encode.h"
#include "loaders/image_transform.h"
#include "loaders/report_curves.h"
#include "loaders/report_metrics.h"
#include "loaders/weights.h"
#include "tests/common/run_tl.h"

namespace tl::app {
namespace {

namespace fs = std::filesystem;

const std::string kWeights = std::string(TL_TEST_DATA_DIR) + "/resnet/resnet18_w8.h5";
const std::string kOtherWeights = std::string(TL_TEST_DATA_DIR) + "/resnet/resnet50_w4.h5";

using test::read_text;
using test::RunResult;

// A temporary folder for one test, removed at the end.
class CliCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() / ("tl_cli_cmd_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // Runs `tl <args>` with HOME in the test folder (the default feature cache lands there).
  RunResult run_tl(const std::string& args) const {
    return test::run_tl(args, root_, "HOME='" + root_.string() + "' XDG_CACHE_HOME= ");
  }

  // root/<name>/{cat,dog}/<i>.png: `per_class` 40x40 images; cats red-ish, dogs blue-ish, noisy.
  std::string make_folder(const std::string& name, int per_class) const {
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> noise(-40, 40);
    const fs::path dir = root_ / name;
    for (int c = 0; c < 2; ++c) {
      fs::create_directories(dir / (c == 0 ? "cat" : "dog"));
      for (int i = 0; i < per_class; ++i) {
        Image image = Image::zeros(40, 40);
        for (size_t p = 0; p < image.pixels.size(); p += 3) {
          image.pixels[p + 0] = static_cast<uint8_t>(std::clamp((c == 0 ? 200 : 40) + noise(rng), 0, 255));
          image.pixels[p + 1] = static_cast<uint8_t>(std::clamp(100 + noise(rng), 0, 255));
          image.pixels[p + 2] = static_cast<uint8_t>(std::clamp((c == 0 ? 40 : 200) + noise(rng), 0, 255));
        }
        write_file_bytes((dir / (c == 0 ? "cat" : "dog") / (std::to_string(i) + ".png")).string(),
                         encode_png(image));
      }
    }
    return dir.string();
  }

  std::string path(const std::string& name) const { return (root_ / name).string(); }

  fs::path root_;
};

TEST_F(CliCommands, ExtractWritesFeaturesAndReportsThem) {
  const std::string data = make_folder("data", 3);
  const RunResult r = run_tl("extract --device cpu --weights " + kWeights + " --data " + data +
                             " --image-size 32 --out " + path("features.h5") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["images"].get<int>(), 6);
  EXPECT_EQ(j["features"].get<int>(), 64);  // resnet18 at width 8: 8 * 8 channels after layer4
  EXPECT_EQ(j["classes"], nlohmann::json({"cat", "dog"}));
  const Hdf5File file = Hdf5File::open_read(path("features.h5"));
  EXPECT_EQ(file.read_string_attribute("/", "format"), "tl-feature-cache");
  EXPECT_EQ(file.read_strings("names").size(), 6u);
}

// --precision and --kernels choose the GPU backbone's arithmetic; on the CPU they are said to
// be ignored and the features are exactly the fp32 reference ones.
TEST_F(CliCommands, GpuMathOptionsOnTheCpuAreSaidAndIgnored) {
  const std::string data = make_folder("data", 2);
  const std::string args = "extract --device cpu --threads 1 --weights " + kWeights + " --data " + data +
                           " --image-size 32 --out ";
  const RunResult plain = run_tl(args + path("fp32.h5"));
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const RunResult asked = run_tl(args + path("bf16.h5") + " --precision bf16 --kernels cudnn");
  ASSERT_EQ(asked.exit_code, 0) << asked.err;
  EXPECT_NE(asked.err.find("the CPU runs fp32 with tl's reference kernels (--precision bf16 --kernels cudnn"),
            std::string::npos)
      << asked.err;
  std::vector<int64_t> shape;
  EXPECT_EQ(Hdf5File::open_read(path("bf16.h5")).read_f32("features", &shape),
            Hdf5File::open_read(path("fp32.h5")).read_f32("features", &shape));
}

TEST_F(CliCommands, TrainEvalPredictRoundTrip) {
  const std::string data = make_folder("data", 6);
  const std::string run = path("run");
  const std::string common =
      " --device cpu --threads 1 --seed 3 --batch 4 --weights " + kWeights + " --image-size 32";
  const std::string train_args = "train" + common + " --data " + data +
                                 " --val-split 0.34 --epochs 4 --lr 0.05 --cache " + path("cache.h5") +
                                 " --out " + run + " --json";
  const RunResult train = run_tl(train_args);
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const nlohmann::json summary = nlohmann::json::parse(train.out);
  EXPECT_EQ(summary["train_images"].get<int>() + summary["val_images"].get<int>(), 12);
  EXPECT_EQ(summary["val_images"].get<int>(), 4);  // round(0.34 * 6) = 2 per class
  EXPECT_FALSE(summary["cache_reused"].get<bool>());
  EXPECT_TRUE(fs::exists(path("cache.h5")));

  // The run folder: a checkpoint tl reads back, per-epoch metrics, two decodable PNGs.
  const HeadCheckpoint checkpoint = load_head_checkpoint(run + "/head.h5");
  EXPECT_EQ(checkpoint.class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(checkpoint.config.in_features, 64);
  const auto csv = read_metrics_csv(run + "/metrics.csv");
  const auto json = read_metrics_json(run + "/metrics.json");
  ASSERT_EQ(csv.size(), 4u);
  ASSERT_EQ(json.size(), 4u);
  for (size_t e = 0; e < csv.size(); ++e) {
    EXPECT_EQ(csv[e].epoch, static_cast<int>(e) + 1);
    EXPECT_TRUE(csv[e].has_validation());
    EXPECT_NEAR(csv[e].train_loss, json[e].train_loss, 1e-4);  // CSV and JSON say the same
  }
  const Image curves = read_image(run + "/curves.png");
  EXPECT_EQ(curves.width, CurvesLayout::width);
  EXPECT_EQ(curves.height, CurvesLayout::height);
  EXPECT_GT(read_image(run + "/confusion.png").width, 0);
  EXPECT_TRUE(nlohmann::json::parse(read_text(run + "/summary.json")).contains("accuracy"));

  // A second run reuses the feature cache.
  const RunResult again = run_tl(train_args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(nlohmann::json::parse(again.out)["cache_reused"].get<bool>()) << again.err;

  // eval: reports and metrics consistent with the data.
  const RunResult eval = run_tl("eval" + common + " --checkpoint " + run + "/head.h5 --data " + data +
                                " --out " + path("eval") + " --json");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const nlohmann::json metrics = nlohmann::json::parse(read_text(path("eval") + "/metrics.json"));
  EXPECT_EQ(nlohmann::json::parse(eval.out), metrics);
  EXPECT_EQ(metrics["images"].get<int>(), 12);
  const auto counts = metrics["confusion"].get<std::vector<int64_t>>();
  ASSERT_EQ(counts.size(), 4u);
  EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), int64_t{0}), 12);
  EXPECT_NEAR(metrics["accuracy"].get<double>(), (counts[0] + counts[3]) / 12.0, 1e-9);
  EXPECT_EQ(metrics["misclassified"].size(), static_cast<size_t>(12 - counts[0] - counts[3]));
  EXPECT_GT(read_image(path("eval") + "/confusion.png").width, 0);
  EXPECT_GT(read_image(path("eval") + "/misclassified.png").width, 0);

  // predict: top-k per image, most probable first, probabilities of a softmax.
  const RunResult predict = run_tl("predict" + common + " --checkpoint " + run +
                                   "/head.h5 --top-k 2 --json " + data + "/cat/0.png " + data + "/dog/1.png");
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  const nlohmann::json p = nlohmann::json::parse(predict.out);
  ASSERT_EQ(p.size(), 2u);
  for (const auto& image : p) {
    ASSERT_EQ(image["top"].size(), 2u);
    const double p0 = image["top"][0]["probability"], p1 = image["top"][1]["probability"];
    EXPECT_GE(p0, p1);
    EXPECT_NEAR(p0 + p1, 1.0, 1e-5);  // two classes: the top-2 cover the whole softmax
  }
  EXPECT_EQ(p[0]["image"].get<std::string>(), data + "/cat/0.png");
  const RunResult text =
      run_tl("predict" + common + " --checkpoint " + run + "/head.h5 " + data + "/cat/0.png");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("cat"), std::string::npos) << text.out;

  // The head refuses another backbone: a runtime error naming both.
  const RunResult wrong =
      run_tl("eval --device cpu --image-size 32 --weights " + kOtherWeights + " --checkpoint " + run +
             "/head.h5 --data " + data + " --out " + path("eval2"));
  EXPECT_EQ(wrong.exit_code, 1) << wrong.err;
  EXPECT_EQ(wrong.err.find("tl: error: "), wrong.err.rfind('\n', wrong.err.size() - 2) + 1) << wrong.err;
}

// --features: the head trains on pooled layer2+layer3+layer4 features (16 + 32 + 64 = 112 for
// the width-8 fixture), the checkpoint records them, and eval and predict extract the same
// without being told. The predicted probability is recomputed here, in process: the image
// resized to 32x32 as tl's transform does, the forward with the same stages, the head, softmax.
TEST_F(CliCommands, MultiStageFeaturesFollowTheCheckpoint) {
  const std::string data = make_folder("data", 4);
  const std::string run = path("run");
  const std::string common =
      " --device cpu --threads 1 --seed 3 --batch 4 --weights " + kWeights + " --image-size 32";
  const RunResult train = run_tl("train" + common + " --data " + data + " --epochs 3 --features layer2+layer3+layer4" +
                                 " --out " + run + " --json");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const HeadCheckpoint checkpoint = load_head_checkpoint(run + "/head.h5");
  EXPECT_EQ(checkpoint.pooled_stages, (std::vector<int>{2, 3, 4}));
  EXPECT_EQ(checkpoint.config.in_features, 112);

  const RunResult eval = run_tl("eval" + common + " --checkpoint " + run + "/head.h5 --data " + data + " --out " +
                                path("eval") + " --json");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  EXPECT_EQ(nlohmann::json::parse(eval.out)["images"].get<int>(), 8);

  const std::string image = data + "/dog/2.png";
  const RunResult predict = run_tl("predict" + common + " --checkpoint " + run + "/head.h5 --top-k 2 --json " + image);
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  const nlohmann::json top = nlohmann::json::parse(predict.out)[0]["top"];
  const ResNet net = load_resnet_weights(kWeights);
  const Image resized = resize_transform(32, 32).apply(read_image(image), 0);
  ForwardOptions options;
  options.pooled_stages = {2, 3, 4};
  const Tensor features =
      forward(net, normalize(Tensor::from_vector(resized.pixels, {1, 32, 32, 3}), net.preprocessing.params), options)
          .features;
  const auto head = checkpoint.make_head();
  const std::vector<float> probabilities = softmax(head->forward(features, false)).to_vector<float>();
  const int best = top[0]["index"].get<int>();
  EXPECT_NEAR(top[0]["probability"].get<double>(), probabilities[static_cast<size_t>(best)], 1e-5) << predict.out;
  EXPECT_GE(probabilities[static_cast<size_t>(best)], probabilities[static_cast<size_t>(1 - best)]);

  const RunResult extract = run_tl("extract" + common + " --data " + data + " --features layer3+layer4 --out " +
                                   path("f.h5") + " --json");
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  EXPECT_EQ(nlohmann::json::parse(extract.out)["features"].get<int>(), 32 + 64);
}

// --standardize: the head trains on standardized features and is folded back to raw ones
// before it is saved, so eval on the training folder (raw features, the saved head) must give
// the accuracy and loss train reported for the same images (standardized, the unfolded head).
TEST_F(CliCommands, StandardizedHeadIsSavedForRawFeatures) {
  const std::string data = make_folder("data", 4);
  const std::string common =
      " --device cpu --threads 1 --seed 5 --batch 4 --weights " + kWeights + " --image-size 32";
  const RunResult train = run_tl("train" + common + " --data " + data + " --epochs 3 --standardize --features " +
                                 "layer3+layer4 --out " + path("run") + " --json");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const nlohmann::json summary = nlohmann::json::parse(train.out);
  EXPECT_TRUE(summary["standardized"].get<bool>());
  EXPECT_EQ(summary["evaluated_on"], "training");
  const RunResult eval = run_tl("eval" + common + " --checkpoint " + path("run") + "/head.h5 --data " + data +
                                " --out " + path("eval") + " --json");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const nlohmann::json metrics = nlohmann::json::parse(eval.out);
  EXPECT_DOUBLE_EQ(metrics["accuracy"].get<double>(), summary["accuracy"].get<double>());
  EXPECT_NEAR(metrics["loss"].get<double>(), summary["loss"].get<double>(), 1e-4 * summary["loss"].get<double>());
}

TEST_F(CliCommands, TrainWithAValidationFolderAndAnMlpHead) {
  const std::string data = make_folder("train", 4);
  const std::string val = make_folder("val", 2);
  const std::string args =
      "train --device cpu --no-cache --weights " + kWeights + " --image-size 32 --data " + data +
      " --head mlp --hidden 16 --optimizer adamw --lr 0.001 --schedule cosine --epochs 3 --json";
  const RunResult r = run_tl(args + " --val " + val + " --out " + path("run"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json summary = nlohmann::json::parse(r.out);
  EXPECT_EQ(summary["train_images"].get<int>(), 8);
  EXPECT_EQ(summary["val_images"].get<int>(), 4);
  EXPECT_EQ(load_head_checkpoint(path("run") + "/head.h5").config.kind, HeadKind::mlp);
  EXPECT_EQ(load_head_checkpoint(path("run") + "/head.h5").config.hidden, 16);
  for (const auto& epoch : read_metrics_json(path("run") + "/metrics.json"))
    EXPECT_TRUE(epoch.has_validation());

  // A validation folder with other classes: a runtime error naming both folders.
  fs::rename(fs::path(val) / "dog", fs::path(val) / "wolf");
  const RunResult mismatch = run_tl(args + " --val " + val + " --out " + path("run2"));
  EXPECT_EQ(mismatch.exit_code, 1) << mismatch.err;
  EXPECT_NE(mismatch.err.find(val), std::string::npos) << mismatch.err;
}

TEST_F(CliCommands, SkipBadSkipsACorruptImage) {
  const std::string data = make_folder("data", 3);
  std::ofstream(data + "/dog/broken.png") << "not a png at all";
  const std::string args = "extract --device cpu --weights " + kWeights + " --data " + data +
                           " --image-size 32 --json --out " + path("f.h5");
  const RunResult strict = run_tl(args);
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.err.find("broken.png"), std::string::npos) << strict.err;
  const RunResult lenient = run_tl(args + " --skip-bad");
  ASSERT_EQ(lenient.exit_code, 0) << lenient.err;
  EXPECT_EQ(nlohmann::json::parse(lenient.out)["images"].get<int>(), 6);
  EXPECT_NE(lenient.err.find("broken.png"), std::string::npos) << "the skip is reported: " << lenient.err;
}

TEST_F(CliCommands, UsageErrorsExitWithTwo) {
  for (const std::string args :
       {"train --data x --out y", "train --weights w --data x --out y --head tree",
        "train --weights w --data x --out y --val v --val-split 0.2",
        "train --weights w --data x --out y --epochs 0", "eval --weights w --data x --out y",
        "predict --weights w --checkpoint c", "extract --weights w --out y", "demo --labels-per-class 0",
        "demo --labels-per-class 10,lots", "predict --weights w --checkpoint c a.png --top-k 0",
        "extract --weights w --data x --out y --precision fp16", "train --weights w --data x --out y --kernels mine",
        "predict --weights w --checkpoint c a.png --precision", "bench --arch resnet19", "bench --repeats 0",
        "bench --head-classes 1", "train --weights w --data x --out y --features layer5",
        "extract --weights w --data x --out y --features layer4+layer2", "demo --features pixels"}) {
    const RunResult r = run_tl(args);
    EXPECT_EQ(r.exit_code, 2) << "tl " << args << "\n" << r.out << r.err;
    EXPECT_FALSE(r.err.empty()) << "tl " << args;
  }
}

TEST_F(CliCommands, EveryCommandHasHelpWithExamples) {
  for (const std::string command : {"extract", "train", "eval", "predict", "demo", "bench"}) {
    const RunResult r = run_tl(command + " --help");
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_NE(r.out.find("Example"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n  tl " + command + " "), std::string::npos)
        << "an example of tl " << command << ":\n"
        << r.out;
  }
}

TEST_F(CliCommands, RuntimeErrorsExitWithOne) {
  const RunResult missing = run_tl("train --device cpu --weights " + kWeights + " --data " + path("nothing") +
                                   " --out " + path("run"));
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_NE(missing.err.find(path("nothing")), std::string::npos) << missing.err;
  const RunResult no_weights = run_tl("bench --device cpu --weights " + path("none.h5"));
  EXPECT_EQ(no_weights.exit_code, 1) << no_weights.err;
  EXPECT_NE(no_weights.err.find(path("none.h5")), std::string::npos) << no_weights.err;
}

// tl bench's speeds cannot be asserted, but its report can: the backbone it loaded (the
// fixture's feature size), speeds that are the work divided by the median seconds, no
// baseline on the CPU (nothing in-process to compare with), and the head it was asked for.
TEST_F(CliCommands, BenchReportsWhatItMeasured) {
  const RunResult r = run_tl("bench --device cpu --threads 1 --weights " + kWeights +
                             " --image-size 32 --batch 3 --repeats 2 --head-rows 100 --head-classes 3 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["device"], "cpu");
  EXPECT_NE(j["backbone"].get<std::string>().find("resnet18"), std::string::npos) << j.dump();
  EXPECT_EQ(j["batch"].get<int>(), 3);
  EXPECT_EQ(j["precision"], "fp32");
  const double seconds = j["forward"]["ours_seconds"].get<double>();
  EXPECT_GT(seconds, 0.0);
  EXPECT_NEAR(j["forward"]["ours_images_per_second"].get<double>() * seconds, 3.0, 1e-9);
  EXPECT_FALSE(j["forward"].contains("vendor_seconds")) << "the CPU has no in-process baseline";
  EXPECT_EQ(j["head"]["features"].get<int>(), 64);  // resnet18 at width 8
  EXPECT_EQ(j["head"]["rows"].get<int>(), 100);
  EXPECT_EQ(j["head"]["classes"].get<int>(), 3);
  EXPECT_NEAR(j["head"]["ours_rows_per_second"].get<double>() * j["head"]["ours_seconds"].get<double>(), 100.0, 1e-6);

  const RunResult text = run_tl("bench --device cpu --threads 1 --arch resnet18 --image-size 16 --batch 1 "
                                "--repeats 1 --head-rows 0");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("resnet18 (random weights)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("images/s"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("head epoch"), std::string::npos) << "--head-rows 0 skips the head: " << text.out;
}

// The demo's whole pipeline in its reduced mode, with the small fixture backbone at 32x32
// (it runs whether or not the trained demo backbone is in the checkout).
TEST_F(CliCommands, DemoQuickRunsWithAnyBackbone) {
  if (!fs::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/setup.sh installs it)";
  const RunResult r = run_tl("demo --quick --device cpu --json --weights " + kWeights + " --image-size 32");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["test_images"].get<int>(), 1000);
  ASSERT_EQ(j["results"].size(), 1u);
  const auto& row = j["results"][0];
  EXPECT_EQ(row["train_images"].get<int>(), 50);
  for (const char* method : {"transfer", "random init", "raw pixels"}) {
    const double accuracy = row[method].get<double>();
    EXPECT_GT(accuracy, 0.3) << method << ": five classes, far above chance (0.2) with any features";
    EXPECT_LE(accuracy, 1.0) << method;
  }
}

// The README's first command with the shipped backbone (tests/data/demo/): the table's numbers
// are those of the PyTorch reference recipe (tools/demo_reference.log, layer2+layer3+layer4
// features: transfer 0.850, random init 0.737, raw pixels 0.762 at 10 labels on the full test
// split), within what a different draw of 10 labels and a 1000-image test subset can move them
// (the reference's std over draws is ~0.02-0.03; tl's random init draws other weights than
// PyTorch's, hence the wider band). And what the demo is for: transfer ahead of both baselines
// by at least 2 points (this draw, seed 0: 0.824 vs 0.796 and 0.774).
TEST_F(CliCommands, DemoQuickWithTheShippedBackbone) {
  if (!fs::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/setup.sh installs it)";
  const bool shipped = fs::exists(std::string(TL_TEST_DATA_DIR) + "/demo/fashion_source_resnet18.h5");
  const RunResult r = run_tl("demo --quick --device cpu --json");
  if (!shipped) {  // then the demo must say so clearly
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("train_demo_backbone.py"), std::string::npos) << r.err;
    return;
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["source_classes"], nlohmann::json({"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat"}));
  EXPECT_EQ(j["target_classes"], nlohmann::json({"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}));
  const nlohmann::json row = j["results"][0];
  EXPECT_NEAR(row["transfer"].get<double>(), 0.850, 0.08) << row.dump();
  EXPECT_NEAR(row["random init"].get<double>(), 0.75, 0.12) << row.dump();
  EXPECT_NEAR(row["raw pixels"].get<double>(), 0.762, 0.08) << row.dump();
  EXPECT_GE(row["transfer"].get<double>(),
            std::max(row["random init"].get<double>(), row["raw pixels"].get<double>()) + 0.02)
      << row.dump();
  EXPECT_EQ(j["features"], "layer2+layer3+layer4");
  // Deterministic: the same seed gives the same table (the second run reads the feature cache).
  const RunResult again = run_tl("demo --quick --device cpu --json");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["results"], j["results"]);
  EXPECT_NE(again.err.find("features reused"), std::string::npos) << again.err;
}

}  // namespace
}  // namespace tl::app
