#include "loaders/report_metrics.h"

#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kernels/common/error.h"
#include "loaders/atomic_write.h"

namespace tl {

namespace {

constexpr const char* kCsvHeader = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// 17 significant digits: a double read back is the same double.
std::ostringstream text_with_exact_doubles() {
  std::ostringstream out;
  out << std::setprecision(17);
  return out;
}

void write_optional(std::ostream& out, double value) {
  if (!std::isnan(value)) out << value;
}

nlohmann::json optional_json(double value) {
  return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
}

double parse_csv_number(const std::string& field, const std::string& path, int line, bool optional) {
  if (field.empty()) {
    TL_CHECK(optional, path << ":" << line << ": a required field is empty");
    return kNaN;
  }
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(field, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  TL_CHECK(used == field.size(), path << ":" << line << ": '" << field << "' is not a number");
  return value;
}

}  // namespace

bool EpochMetrics::has_validation() const { return !std::isnan(val_loss) && !std::isnan(val_accuracy); }

void write_metrics_csv(const std::string& path, const std::vector<EpochMetrics>& epochs) {
  std::ostringstream out = text_with_exact_doubles();
  out << kCsvHeader << "\n";
  for (const EpochMetrics& m : epochs) {
    out << m.epoch << "," << m.train_loss << "," << m.train_accuracy << ",";
    write_optional(out, m.val_loss);
    out << ",";
    write_optional(out, m.val_accuracy);
    out << "," << m.seconds << "\n";
  }
  write_bytes_atomically(path, out.str());
}

void write_metrics_json(const std::string& path, const std::vector<EpochMetrics>& epochs) {
  nlohmann::json rows = nlohmann::json::array();
  for (const EpochMetrics& m : epochs) {
    rows.push_back({{"epoch", m.epoch},
                    {"train_loss", m.train_loss},
                    {"train_accuracy", m.train_accuracy},
                    {"val_loss", optional_json(m.val_loss)},
                    {"val_accuracy", optional_json(m.val_accuracy)},
                    {"seconds", m.seconds}});
  }
  write_bytes_atomically(path, nlohmann::json{{"epochs", rows}}.dump(2) + "\n");
}

std::vector<EpochMetrics> read_metrics_csv(const std::string& path) {
  std::ifstream in(path);
  TL_CHECK(in.good(), "could not open the metrics file '" << path << "'");
  std::string line;
  TL_CHECK(std::getline(in, line) && line == kCsvHeader,
           path << ":1: expected the header '" << kCsvHeader << "', got '" << line << "'");
  std::vector<EpochMetrics> epochs;
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::stringstream row(line);
    for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    TL_CHECK(fields.size() == 6, path << ":" << number << ": expected 6 fields, got " << fields.size());
    EpochMetrics m;
    m.epoch = static_cast<int>(parse_csv_number(fields[0], path, number, false));
    m.train_loss = parse_csv_number(fields[1], path, number, false);
    m.train_accuracy = parse_csv_number(fields[2], path, number, false);
    m.val_loss = parse_csv_number(fields[3], path, number, true);
    m.val_accuracy = parse_csv_number(fields[4], path, number, true);
    m.seconds = parse_csv_number(fields[5], path, number, false);
    epochs.push_back(m);
  }
  return epochs;
}

std::vector<EpochMetrics> read_metrics_json(const std::string& path) {
  std::ifstream in(path);
  TL_CHECK(in.good(), "could not open the metrics file '" << path << "'");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    TL_FAIL("'" << path << "' is not valid JSON: " << e.what());
  }
  TL_CHECK(doc.is_object() && doc.contains("epochs") && doc["epochs"].is_array(),
           "'" << path << "': expected an object with an array \"epochs\"");
  std::vector<EpochMetrics> epochs;
  auto number = [&](const nlohmann::json& row, const char* key) {
    TL_CHECK(row.contains(key), "'" << path << "': an epoch lacks \"" << key << "\"");
    const nlohmann::json& value = row[key];
    if (value.is_null()) return kNaN;
    TL_CHECK(value.is_number(), "'" << path << "': \"" << key << "\" must be a number or null");
    return value.get<double>();
  };
  for (const nlohmann::json& row : doc["epochs"]) {
    EpochMetrics m;
    m.epoch = static_cast<int>(number(row, "epoch"));
    m.train_loss = number(row, "train_loss");
    m.train_accuracy = number(row, "train_accuracy");
    m.val_loss = number(row, "val_loss");
    m.val_accuracy = number(row, "val_accuracy");
    m.seconds = number(row, "seconds");
    epochs.push_back(m);
  }
  return epochs;
}

}  // namespace tl
