// Settings files: JSON, or a YAML subset (flat or nested `key: value`
// mappings by indentation, scalars, `[a, b]` lists, # comments), both read
// into nlohmann::json. ConfigReader copies known keys into a settings struct
// and rejects unknown ones, so a typo is an error, not a silent default.
#pragma once

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace disco {

namespace config_detail {

template <typename T>
struct is_vector : std::false_type {};
template <typename T>
struct is_vector<std::vector<T>> : std::true_type {};

// Whether the number(s) in `value` convert to T exactly. nlohmann's get<T>()
// converts with a plain cast, which wraps an integer that does not fit T
// (num_envs: 99999999999 became 1215752191) and is undefined for a float
// outside T's range (1e300); it also drops a fraction (steps: 2.5). Values of
// other types pass here: get<T>() refuses them as the wrong type.
template <typename T>
bool fits(const nlohmann::json& value) {
  if constexpr (is_vector<T>::value) {
    if (!value.is_array()) return true;
    for (const auto& item : value) {
      if (!fits<typename T::value_type>(item)) return false;
    }
    return true;
  } else if constexpr (std::is_same_v<T, bool> || !std::is_arithmetic_v<T>) {
    return true;
  } else if constexpr (std::is_floating_point_v<T>) {
    return !value.is_number() ||
           std::abs(value.get<double>()) <= static_cast<double>(std::numeric_limits<T>::max());
  } else if (value.is_number_unsigned()) {
    return value.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
  } else if (value.is_number_integer()) {  // negative
    const int64_t i = value.get<int64_t>();
    if constexpr (std::is_signed_v<T>) return i >= std::numeric_limits<T>::min();
    return false;
  } else if (value.is_number_float()) {
    const double d = value.get<double>();
    // [min, 2^digits): both bounds are exact doubles.
    return d == std::trunc(d) && d >= static_cast<double>(std::numeric_limits<T>::min()) &&
           d < std::ldexp(1.0, std::numeric_limits<T>::digits);
  }
  return true;
}

}  // namespace config_detail

// Reads `path` (.json, .yaml or .yml; others are tried as JSON). Throws
// std::invalid_argument naming the file for unreadable or malformed input.
nlohmann::json load_config_file(const std::string& path);
// The same for the text of such a file: the YAML subset if `yaml`, else JSON
// (which must be an object). `what` names it in errors.
nlohmann::json parse_config_text(const std::string& text, bool yaml, const std::string& what);

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
    if (!config_detail::fits<T>(object_.at(key))) {
      throw std::invalid_argument(where_ + ": '" + key + "' is out of range or not whole (" +
                                  shown(object_.at(key)) + ")");
    }
    try {
      field = object_.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
      throw std::invalid_argument(where_ + ": '" + key + "' has the wrong type (" +
                                  shown(object_.at(key)) + ")");
    }
  }
  // The sub-object at `key` (empty object if absent); marks it seen.
  nlohmann::json section(const std::string& key);
  // Throws naming the first key that no get()/section() asked for.
  void finish() const;

 private:
  // `value` for a message; invalid UTF-8 (which dump() throws on) replaced.
  static std::string shown(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }

  nlohmann::json object_;  // a copy: section() hands out temporaries
  std::string where_;
  std::set<std::string> seen_;
};

}  // namespace disco
