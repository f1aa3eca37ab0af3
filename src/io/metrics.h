// Training metrics, one row per logging interval, to DIR/metrics.csv and
// DIR/metrics.jsonl. The CSV's columns are fixed by the first row (missing
// values are empty); the JSONL has one object per row. Rows are flushed as
// they are written, so a killed run keeps what it logged.
#pragma once

#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace disco {

// A row: name -> value; "learner_step" orders rows.
using MetricsRow = std::map<std::string, double>;

class MetricsWriter {
 public:
  // Opens (creating) the files in `dir`. With keep_upto_step >= 0 (resume),
  // rows after that learner step (logged after the checkpoint the run
  // resumes from) are first dropped, atomically.
  // `name` is the files' base name, `step_column` the column that orders rows.
  MetricsWriter(const std::string& dir, long long keep_upto_step = -1,
                const std::string& name = "metrics",
                const std::string& step_column = "learner_step");

  // `first` names the columns that lead the CSV, in order.
  void write(const MetricsRow& row, const std::vector<std::string>& first);

 private:
  std::string csv_path_, jsonl_path_;
  std::vector<std::string> columns_;
  std::ofstream csv_, jsonl_;
};

// Reads a metrics.csv back: column names and rows (empty cells are NaN).
struct MetricsTable {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
  int column(const std::string& name) const;  // -1 if absent
};
MetricsTable read_metrics_csv(const std::string& path);

}  // namespace disco
