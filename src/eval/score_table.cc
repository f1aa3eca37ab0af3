#include "eval/score_table.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <tuple>
#include <vector>

namespace disco {
namespace {

std::string trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

// Splits one CSV record; `where` prefixes errors.
std::vector<std::string> split_fields(const std::string& line, const std::string& where) {
  std::vector<std::string> fields;
  size_t i = 0;
  while (true) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        field += line[i++];
      }
      if (!closed) throw std::invalid_argument(where + ": a quoted field is not closed");
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i < line.size() && line[i] != ',') {
        throw std::invalid_argument(where + ": text after a quoted field");
      }
    } else {
      const size_t comma = line.find(',', i);
      field = trim(line.substr(i, comma == std::string::npos ? std::string::npos : comma - i));
      i = comma == std::string::npos ? line.size() : comma;
    }
    fields.push_back(field);
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return fields;
}

double parse_score(const std::string& text, const std::string& where) {
  if (text.empty()) throw std::invalid_argument(where + ": the score is empty");
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) {
    throw std::invalid_argument(where + ": score '" + text + "' is not a number");
  }
  if (std::isnan(v)) throw std::invalid_argument(where + ": score is NaN");
  if (!std::isfinite(v)) {
    throw std::invalid_argument(where + ": score '" + text + "' is not finite");
  }
  return v;
}

// Reads a header naming at least `columns`, then every further record;
// calls on_row(fields of `columns` in that order, "source:line") for each.
// Returns the number of records.
template <typename OnRow>
int for_each_record(std::istream& in, const std::string& source,
                    const std::vector<std::string>& columns, OnRow on_row) {
  std::string line;
  int line_no = 0;
  std::vector<std::string> header;
  while (header.empty() && std::getline(in, line)) {
    ++line_no;
    if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 BOM
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    header = split_fields(line, source + ":" + std::to_string(line_no));
  }
  if (header.empty()) throw std::invalid_argument(source + ": empty file (no header row)");

  std::string needed;
  for (const auto& c : columns) needed += (needed.empty() ? "" : ", ") + c;
  std::vector<size_t> index;
  for (const std::string& name : columns) {
    int found = -1;
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] != name) continue;
      if (found >= 0) throw std::invalid_argument(source + ": column '" + name + "' appears twice");
      found = static_cast<int>(i);
    }
    if (found < 0) {
      std::string names;
      for (const auto& h : header) names += (names.empty() ? "" : ", ") + h;
      throw std::invalid_argument(source + ": no '" + name + "' column (need " + needed +
                                  "; the header has " + names + ")");
    }
    index.push_back(static_cast<size_t>(found));
  }

  int records = 0;
  std::vector<std::string> picked(columns.size());
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    const std::string where = source + ":" + std::to_string(line_no);
    const std::vector<std::string> fields = split_fields(line, where);
    if (fields.size() != header.size()) {
      throw std::invalid_argument(where + ": " + std::to_string(fields.size()) +
                                  " fields, but the header has " + std::to_string(header.size()));
    }
    for (size_t c = 0; c < columns.size(); ++c) picked[c] = fields[index[c]];
    on_row(picked, where, line_no);
    ++records;
  }
  return records;
}

void check_labels(const std::vector<std::string>& f, const std::string& where) {
  if (f[0].empty()) throw std::invalid_argument(where + ": the rule is empty");
  if (f[1].empty()) throw std::invalid_argument(where + ": the task is empty");
  if (f[2].empty()) throw std::invalid_argument(where + ": the seed is empty");
}

int64_t parse_frames(const std::string& text, const std::string& where) {
  if (text.empty()) throw std::invalid_argument(where + ": the frames are empty");
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (end != text.c_str() + text.size() || errno == ERANGE || v < 0) {
    throw std::invalid_argument(where + ": frames '" + text +
                                "' is not a whole number of frames (0 or more)");
  }
  return v;
}

}  // namespace

ScoreTable parse_score_csv(std::istream& in, const std::string& source) {
  ScoreTable table;
  std::map<std::tuple<std::string, std::string, std::string>, int> first_line;
  for_each_record(
      in, source, {"rule", "task", "seed", "score"},
      [&](const std::vector<std::string>& f, const std::string& where, int line_no) {
        check_labels(f, where);
        const double score = parse_score(f[3], where);
        const auto [it, inserted] = first_line.emplace(std::make_tuple(f[0], f[1], f[2]), line_no);
        if (!inserted) {
          throw std::invalid_argument(where + ": a second score for rule '" + f[0] + "', task '" +
                                      f[1] + "', seed '" + f[2] + "' (the first is on line " +
                                      std::to_string(it->second) + ")");
        }
        table[f[0]][f[1]].push_back(score);
      });
  if (table.empty()) throw std::invalid_argument(source + ": no scores (only a header row)");
  return table;
}

CurveTable parse_curve_csv(std::istream& in, const std::string& source) {
  CurveTable table;
  std::map<std::tuple<std::string, std::string, std::string, int64_t>, int> first_line;
  for_each_record(in, source, {"rule", "task", "seed", "frames", "score"},
                  [&](const std::vector<std::string>& f, const std::string& where, int line_no) {
                    check_labels(f, where);
                    const int64_t frames = parse_frames(f[3], where);
                    const double score = parse_score(f[4], where);
                    const auto [it, inserted] =
                        first_line.emplace(std::make_tuple(f[0], f[1], f[2], frames), line_no);
                    if (!inserted) {
                      throw std::invalid_argument(
                          where + ": a second score for rule '" + f[0] + "', task '" + f[1] +
                          "', seed '" + f[2] + "' at " + std::to_string(frames) +
                          " frames (the first is on line " + std::to_string(it->second) + ")");
                    }
                    table[frames][f[0]][f[1]].push_back(score);
                  });
  if (table.empty()) throw std::invalid_argument(source + ": no scores (only a header row)");
  return table;
}

namespace {

template <typename Table, typename Parse>
Table read_table_file(const std::string& path, const char* what, Parse parse) {
  if (std::filesystem::is_directory(path)) {
    throw std::runtime_error(std::string(what) + " file '" + path + "' is a directory");
  }
  std::ifstream in(path);
  if (!in) throw std::runtime_error(std::string("cannot open ") + what + " file '" + path + "'");
  Table table = parse(in, path);
  if (in.bad()) {
    throw std::runtime_error(std::string("error reading ") + what + " file '" + path + "'");
  }
  return table;
}

}  // namespace

ScoreTable read_score_csv(const std::string& path) {
  return read_table_file<ScoreTable>(path, "scores", parse_score_csv);
}

CurveTable read_curve_csv(const std::string& path) {
  return read_table_file<CurveTable>(path, "curves", parse_curve_csv);
}

}  // namespace disco
