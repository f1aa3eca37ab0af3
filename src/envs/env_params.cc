#include "envs/env_params.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace disco {
namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string format_double(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

EnvParams EnvParams::parse(const std::string& text) {
  EnvParams p;
  const std::string s = trim(text);
  const size_t open = s.find('(');
  if (open == std::string::npos) {
    p.name_ = s;
  } else {
    if (s.back() != ')') {
      throw std::invalid_argument("environment '" + text + "': missing closing ')'");
    }
    p.name_ = trim(s.substr(0, open));
    const std::string body = s.substr(open + 1, s.size() - open - 2);
    std::stringstream items(body);
    std::string item;
    while (std::getline(items, item, ',')) {
      if (trim(item).empty()) continue;
      const size_t eq = item.find('=');
      if (eq == std::string::npos) {
        throw std::invalid_argument("environment '" + text + "': parameter '" + trim(item) +
                                    "' has no '=value'");
      }
      const std::string key = trim(item.substr(0, eq));
      const std::string value = trim(item.substr(eq + 1));
      if (key.empty() || value.empty()) {
        throw std::invalid_argument("environment '" + text + "': empty key or value in '" +
                                    trim(item) + "'");
      }
      if (!p.given_.emplace(key, value).second) {
        throw std::invalid_argument("environment '" + text + "': parameter '" + key +
                                    "' given twice");
      }
    }
  }
  if (p.name_.empty()) throw std::invalid_argument("empty environment name");
  return p;
}

const std::string* EnvParams::find(const std::string& key) {
  used_.insert(key);
  auto it = given_.find(key);
  return it == given_.end() ? nullptr : &it->second;
}

int EnvParams::get_int(const std::string& key, int default_value) {
  int value = default_value;
  if (const std::string* s = find(key)) {
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(s->c_str(), &end, 10);
    // The whole value: a NUL inside it must not end the number early.
    if (end == s->c_str() || end != s->c_str() + s->size()) {
      throw std::invalid_argument(name_ + ": parameter " + key + "=" + *s + " is not an integer");
    }
    // Refused rather than wrapped: "rows=4294967298" must not build 2 rows.
    if (errno == ERANGE || v < std::numeric_limits<int>::min() ||
        v > std::numeric_limits<int>::max()) {
      throw std::invalid_argument(name_ + ": parameter " + key + "=" + *s + " is out of range");
    }
    value = static_cast<int>(v);
  }
  resolved_[key] = std::to_string(value);
  return value;
}

double EnvParams::get_double(const std::string& key, double default_value) {
  double value = default_value;
  if (const std::string* s = find(key)) {
    char* end = nullptr;
    value = std::strtod(s->c_str(), &end);
    if (end == s->c_str() || end != s->c_str() + s->size()) {  // as in get_int
      throw std::invalid_argument(name_ + ": parameter " + key + "=" + *s + " is not a number");
    }
  }
  resolved_[key] = format_double(value);
  return value;
}

bool EnvParams::get_bool(const std::string& key, bool default_value) {
  bool value = default_value;
  if (const std::string* s = find(key)) {
    if (*s == "true" || *s == "1") {
      value = true;
    } else if (*s == "false" || *s == "0") {
      value = false;
    } else {
      throw std::invalid_argument(name_ + ": parameter " + key + "=" + *s +
                                  " is not a boolean (true/false)");
    }
  }
  resolved_[key] = value ? "true" : "false";
  return value;
}

std::string EnvParams::get_string(const std::string& key, const std::string& default_value) {
  const std::string* s = find(key);
  std::string value = s ? *s : default_value;
  resolved_[key] = value;
  return value;
}

void EnvParams::check_all_used() const {
  for (const auto& [key, value] : given_) {
    if (!used_.count(key)) {
      std::string known;
      for (const auto& k : used_) known += (known.empty() ? "" : ", ") + k;
      throw std::invalid_argument(name_ + ": unknown parameter '" + key + "' (known: " +
                                  (known.empty() ? "none" : known) + ")");
    }
  }
}

std::string EnvParams::canonical() const {
  if (resolved_.empty()) return name_;
  std::string out = name_ + "(";
  bool first = true;
  for (const auto& [key, value] : resolved_) {
    out += (first ? "" : ",") + key + "=" + value;
    first = false;
  }
  return out + ")";
}

}  // namespace disco
