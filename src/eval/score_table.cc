#include "eval/score_table.h"

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

}  // namespace

ScoreTable parse_score_csv(std::istream& in, const std::string& source) {
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

  const auto column = [&](const std::string& name) {
    int found = -1;
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] != name) continue;
      if (found >= 0) throw std::invalid_argument(source + ": column '" + name + "' appears twice");
      found = static_cast<int>(i);
    }
    if (found < 0) {
      std::string names;
      for (const auto& h : header) names += (names.empty() ? "" : ", ") + h;
      throw std::invalid_argument(source + ": no '" + name +
                                  "' column (need rule, task, seed, score; the header has " +
                                  names + ")");
    }
    return static_cast<size_t>(found);
  };
  const size_t rule_col = column("rule"), task_col = column("task"), seed_col = column("seed"),
               score_col = column("score");

  ScoreTable table;
  std::map<std::tuple<std::string, std::string, std::string>, int> first_line;
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
    const std::string& rule = fields[rule_col];
    const std::string& task = fields[task_col];
    const std::string& seed = fields[seed_col];
    if (rule.empty()) throw std::invalid_argument(where + ": the rule is empty");
    if (task.empty()) throw std::invalid_argument(where + ": the task is empty");
    if (seed.empty()) throw std::invalid_argument(where + ": the seed is empty");
    const double score = parse_score(fields[score_col], where);
    const auto [it, inserted] = first_line.emplace(std::make_tuple(rule, task, seed), line_no);
    if (!inserted) {
      throw std::invalid_argument(where + ": a second score for rule '" + rule + "', task '" +
                                  task + "', seed '" + seed + "' (the first is on line " +
                                  std::to_string(it->second) + ")");
    }
    table[rule][task].push_back(score);
  }
  if (table.empty()) throw std::invalid_argument(source + ": no scores (only a header row)");
  return table;
}

ScoreTable read_score_csv(const std::string& path) {
  if (std::filesystem::is_directory(path)) {
    throw std::runtime_error("scores file '" + path + "' is a directory");
  }
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open scores file '" + path + "'");
  ScoreTable table = parse_score_csv(in, path);
  if (in.bad()) throw std::runtime_error("error reading scores file '" + path + "'");
  return table;
}

}  // namespace disco
