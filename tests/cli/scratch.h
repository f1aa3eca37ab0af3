// A scratch folder of this test process's own under the system's temporary
// folder, removed when the process exits normally (ctest runs every test in
// a process of its own), so that repeated test runs leave nothing behind.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <system_error>

namespace disco_test {

inline std::filesystem::path scratch_root(const std::string& prefix) {
  struct Roots {
    std::map<std::string, std::filesystem::path> paths;
    ~Roots() {
      for (const auto& [prefix, path] : paths) {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
      }
    }
  };
  static Roots roots;
  auto& path = roots.paths[prefix];
  if (path.empty()) {
    path = std::filesystem::temp_directory_path() / (prefix + std::to_string(::getpid()));
  }
  std::filesystem::create_directories(path);
  return path;
}

}  // namespace disco_test
