#include "io/metrics.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "io/atomic_file.h"

namespace disco {
namespace {

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, sep)) out.push_back(cell);
  if (!line.empty() && line.back() == sep) out.emplace_back();
  return out;
}

std::string format(double v) {
  if (std::isnan(v)) return "";
  std::ostringstream s;
  s.precision(9);
  s << v;
  return s.str();
}

bool read_lines(const std::string& path, std::vector<std::string>& lines) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return true;
}

}  // namespace

int MetricsTable::column(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return static_cast<int>(i);
  }
  return -1;
}

MetricsTable read_metrics_csv(const std::string& path) {
  std::vector<std::string> lines;
  if (!read_lines(path, lines)) throw std::invalid_argument("cannot read '" + path + "'");
  MetricsTable table;
  if (lines.empty()) return table;
  table.columns = split(lines[0], ',');
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<double> row;
    for (const auto& cell : split(lines[i], ',')) {
      row.push_back(cell.empty() ? std::numeric_limits<double>::quiet_NaN() : std::stod(cell));
    }
    row.resize(table.columns.size(), std::numeric_limits<double>::quiet_NaN());
    table.rows.push_back(row);
  }
  return table;
}

MetricsWriter::MetricsWriter(const std::string& dir, long long keep_upto_step,
                             const std::string& name, const std::string& step_column)
    : csv_path_(dir + "/" + name + ".csv"), jsonl_path_(dir + "/" + name + ".jsonl") {
  if (keep_upto_step >= 0) {
    std::vector<std::string> lines;
    if (read_lines(csv_path_, lines) && !lines.empty()) {
      columns_ = split(lines[0], ',');
      const int step_col = MetricsTable{columns_, {}}.column(step_column);
      std::string kept = lines[0] + "\n";
      for (size_t i = 1; i < lines.size(); ++i) {
        const auto cells = split(lines[i], ',');
        // A row cut short (the disk filled up while it was written) is dropped.
        if (step_col >= 0 && cells.size() == columns_.size() &&
            std::stod(cells[step_col]) <= keep_upto_step) {
          kept += lines[i] + "\n";
        }
      }
      write_file_atomically(csv_path_, kept);
    }
    lines.clear();
    if (read_lines(jsonl_path_, lines)) {
      std::string kept;
      for (const auto& line : lines) {
        const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (j.is_object() && j.value("learner_step", 0.0) <= keep_upto_step) kept += line + "\n";
      }
      write_file_atomically(jsonl_path_, kept);
    }
  }
  csv_.open(csv_path_, std::ios::app);
  jsonl_.open(jsonl_path_, std::ios::app);
  if (!csv_ || !jsonl_) throw std::invalid_argument("cannot write metrics in '" + dir + "'");
}

void MetricsWriter::write(const MetricsRow& row, const std::vector<std::string>& first) {
  if (columns_.empty()) {
    columns_ = first;
    for (const auto& [name, v] : row) {
      bool listed = false;
      for (const auto& c : columns_) listed = listed || c == name;
      if (!listed) columns_.push_back(name);
    }
    for (size_t i = 0; i < columns_.size(); ++i) csv_ << (i ? "," : "") << columns_[i];
    csv_ << "\n";
  }
  for (size_t i = 0; i < columns_.size(); ++i) {
    auto it = row.find(columns_[i]);
    csv_ << (i ? "," : "") << (it == row.end() ? "" : format(it->second));
  }
  csv_ << "\n";
  csv_.flush();
  if (!csv_) throw std::runtime_error("cannot write " + csv_path_ + ": " + std::strerror(errno));
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, v] : row) {
    if (std::isnan(v)) {
      j[name] = nullptr;
    } else {
      j[name] = v;
    }
  }
  jsonl_ << j.dump() << "\n";
  jsonl_.flush();
  if (!jsonl_) throw std::runtime_error("cannot write " + jsonl_path_ + ": " + std::strerror(errno));
}

}  // namespace disco
