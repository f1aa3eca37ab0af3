// Settings files: JSON, or a YAML subset (flat or nested `key: value`
// mappings by indentation, scalars, `[a, b]` lists, # comments), both read
// into nlohmann::json. ConfigReader copies known keys into a settings struct
// and rejects unknown ones, so a typo is an error, not a silent default.
#pragma once

#include <nlohmann/json.hpp>

#include <set>
#include <stdexcept>
#include <string>

namespace disco {

// Reads `path` (.json, .yaml or .yml; others are tried as JSON). Throws
// std::invalid_argument naming the file for unreadable or malformed input.
nlohmann::json load_config_file(const std::string& path);

// Parses the YAML subset described above.
nlohmann::json parse_yaml_subset(const std::string& text, const std::string& what);

class ConfigReader {
 public:
  // `where` names the section in messages, e.g. "settings" or "rule".
  ConfigReader(const nlohmann::json& object, std::string where);

  // Copies object[key] into `field` if present; a wrong type throws.
  template <typename T>
  void get(const std::string& key, T& field) {
    seen_.insert(key);
    if (!object_.contains(key)) return;
    try {
      field = object_.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
      throw std::invalid_argument(where_ + ": '" + key + "' has the wrong type (" +
                                  object_.at(key).dump() + ")");
    }
  }
  // The sub-object at `key` (empty object if absent); marks it seen.
  nlohmann::json section(const std::string& key);
  // Throws naming the first key that no get()/section() asked for.
  void finish() const;

 private:
  nlohmann::json object_;  // a copy: section() hands out temporaries
  std::string where_;
  std::set<std::string> seen_;
};

}  // namespace disco
