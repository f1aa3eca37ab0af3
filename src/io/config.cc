#include "io/config.h"

#include <fstream>
#include <sstream>
#include <vector>

namespace disco {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// A YAML scalar: numbers, true/false, null, quoted or bare strings.
nlohmann::json yaml_scalar(const std::string& raw) {
  const std::string s = trim(raw);
  if (s.empty() || s == "null" || s == "~") return nullptr;
  if (s == "true" || s == "True") return true;
  if (s == "false" || s == "False") return false;
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    return s.substr(1, s.size() - 2);
  }
  if (s.front() == '[') {
    if (s.back() != ']') throw std::invalid_argument("unterminated list '" + s + "'");
    // Items end at commas outside quotes, so that ["catch(rows=5,columns=5)"]
    // is one environment name, not two broken ones.
    nlohmann::json list = nlohmann::json::array();
    std::string item;
    char quote = 0;
    for (const char c : s.substr(1, s.size() - 2) + ",") {
      if (quote == 0 && c == ',') {
        // Items are scalars: a nested list would recurse once per '[' (and
        // copy the rest of the line each time).
        if (trim(item).rfind('[', 0) == 0) {
          throw std::invalid_argument("nested lists are not supported ('" + s + "')");
        }
        if (!trim(item).empty()) list.push_back(yaml_scalar(item));
        item.clear();
        continue;
      }
      if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else if (c == quote) {
        quote = 0;
      }
      item += c;
    }
    if (quote != 0) throw std::invalid_argument("unterminated string in list '" + s + "'");
    return list;
  }
  try {
    size_t used = 0;
    const long long i = std::stoll(s, &used);
    if (used == s.size()) return i;
    const double d = std::stod(s, &used);
    if (used == s.size()) return d;
  } catch (const std::exception&) {
  }
  return s;
}

}  // namespace

nlohmann::json parse_yaml_subset(const std::string& text, const std::string& what) {
  nlohmann::json root = nlohmann::json::object();
  std::vector<std::pair<int, nlohmann::json*>> stack = {{-1, &root}};
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    auto hash = line.find(" #");
    if (line.rfind('#', 0) == 0) hash = 0;
    if (hash != std::string::npos) line = line.substr(0, hash);
    if (trim(line).empty() || trim(line) == "---") continue;
    const int indent = static_cast<int>(line.find_first_not_of(' '));
    const auto colon = line.find(':');
    if (colon == std::string::npos) {
      throw std::invalid_argument(what + ":" + std::to_string(number) + ": expected 'key: value'");
    }
    const std::string key = trim(line.substr(0, colon));
    const std::string value = trim(line.substr(colon + 1));
    while (indent <= stack.back().first) stack.pop_back();
    nlohmann::json& parent = *stack.back().second;
    try {
      if (value.empty()) {
        parent[key] = nlohmann::json::object();
        stack.emplace_back(indent, &parent[key]);
      } else {
        parent[key] = yaml_scalar(value);
      }
    } catch (const std::exception& e) {
      throw std::invalid_argument(what + ":" + std::to_string(number) + ": " + e.what());
    }
  }
  return root;
}

nlohmann::json load_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read settings file '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const bool yaml = path.size() >= 5 && (path.substr(path.size() - 5) == ".yaml" ||
                                         path.substr(path.size() - 4) == ".yml");
  return parse_config_text(buffer.str(), yaml, path);
}

nlohmann::json parse_config_text(const std::string& text, bool yaml, const std::string& what) {
  if (yaml) return parse_yaml_subset(text, what);
  // Settings nest a few levels deep. Deeper input is refused while parsing:
  // copying or printing a value recurses once per level, and 100,000 nested
  // '[' overflow the stack.
  constexpr int kMaxDepth = 64;
  const auto refuse_deep = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxDepth) {
      throw std::invalid_argument("settings file '" + what + "' nests deeper than " +
                                  std::to_string(kMaxDepth) + " levels");
    }
    return true;
  };
  try {
    auto j = nlohmann::json::parse(text, refuse_deep);
    if (!j.is_object()) throw std::invalid_argument("settings file '" + what + "' is not an object");
    return j;
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e600
    throw std::invalid_argument("settings file '" + what + "' is not valid JSON: " + e.what());
  }
}

ConfigReader::ConfigReader(const nlohmann::json& object, std::string where)
    : object_(object), where_(std::move(where)) {
  if (!object_.is_object()) throw std::invalid_argument(where_ + ": expected an object");
}

nlohmann::json ConfigReader::section(const std::string& key) {
  seen_.insert(key);
  if (!object_.contains(key)) return nlohmann::json::object();
  if (!object_.at(key).is_object()) throw std::invalid_argument(where_ + ": '" + key + "' must be an object");
  return object_.at(key);
}

void ConfigReader::finish() const {
  for (const auto& [key, value] : object_.items()) {
    if (!seen_.count(key)) throw std::invalid_argument(where_ + ": unknown key '" + key + "'");
  }
}

}  // namespace disco
