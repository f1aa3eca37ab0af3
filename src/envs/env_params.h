// Environment names with parameters, as in OpenSpiel: "catch(rows=8,columns=8)".
//
// `EnvParams` parses such a string and hands out typed values with defaults.
// Every parameter must be consumed by the environment's constructor;
// `check_all_used()` turns a misspelt parameter into a clear error instead of
// a silently ignored one.
#pragma once

#include <map>
#include <set>
#include <string>

namespace disco {

class EnvParams {
 public:
  // Parses "name" or "name(key=value,...)". Throws std::invalid_argument.
  static EnvParams parse(const std::string& text);

  const std::string& name() const { return name_; }

  int get_int(const std::string& key, int default_value);
  double get_double(const std::string& key, double default_value);
  bool get_bool(const std::string& key, bool default_value);
  std::string get_string(const std::string& key, const std::string& default_value);

  // Throws naming the first parameter no getter asked for.
  void check_all_used() const;

  // "name(k=v,...)" with every value the getters resolved, defaults included,
  // keys sorted: the canonical name of the environment built from it.
  std::string canonical() const;

 private:
  const std::string* find(const std::string& key);
  std::string name_;
  std::map<std::string, std::string> given_;
  std::map<std::string, std::string> resolved_;
  std::set<std::string> used_;
};

}  // namespace disco
