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
    nlohmann::json list = nlohmann::json::array();
    std::stringstream items(s.substr(1, s.size() - 2));
    std::string item;
    while (std::getline(items, item, ',')) {
      if (!trim(item).empty()) list.push_back(yaml_scalar(item));
    }
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
  const std::string text = buffer.str();
  const bool yaml = path.size() >= 5 && (path.substr(path.size() - 5) == ".yaml" ||
                                         path.substr(path.size() - 4) == ".yml");
  if (yaml) return parse_yaml_subset(text, path);
  try {
    auto j = nlohmann::json::parse(text);
    if (!j.is_object()) throw std::invalid_argument("settings file '" + path + "' is not an object");
    return j;
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument("settings file '" + path + "' is not valid JSON: " + e.what());
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
