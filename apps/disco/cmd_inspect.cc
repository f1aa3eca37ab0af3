// `disco inspect FILE.npz`: names, shapes and dtypes of an archive's arrays.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "io/npz.h"

namespace disco::cli {
namespace {

// 754778 -> "754,778"
std::string with_thousands(int64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("inspect", "List the arrays of an .npz file");
  static std::string path;
  cmd->add_option("file", path, "the .npz archive")->required();
  cmd->callback([]() {
    const NpzArchive archive = read_npz(path);
    int64_t total = 0;
    size_t width = 4;
    for (const auto& [name, array] : archive) width = std::max(width, name.size());
    for (const auto& [name, array] : archive) {
      std::ostringstream shape;
      shape << "(";
      for (size_t i = 0; i < array.shape.size(); ++i) {
        shape << (i ? ", " : "") << array.shape[i];
      }
      shape << (array.shape.size() == 1 ? ",)" : ")");
      std::cout << std::left << std::setw(static_cast<int>(width) + 2) << name << std::setw(18)
                << shape.str() << dtype_name(array.dtype) << (array.fortran_order_on_disk ? "  (Fortran order)" : "")
                << "\n";
      total += array.num_values();
    }
    std::cout << archive.size() << " arrays, " << with_thousands(total) << " values\n";
  });
}

}  // namespace disco::cli
