#include "io/gnuplot.h"

#include <cstdio>
#include <stdexcept>

namespace disco {
namespace {

std::string command_output(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    pclose(pipe);
  }
  return out;
}

}  // namespace

std::string gnuplot_png_terminal(int width, int height) {
  const std::string terminals = command_output("gnuplot -e 'set terminal' 2>&1");
  const std::string size = " size " + std::to_string(width) + "," + std::to_string(height);
  if (terminals.find("pngcairo") != std::string::npos) return "pngcairo" + size;
  if (terminals.find(" png ") != std::string::npos) return "png" + size;
  if (terminals.find("not found") != std::string::npos || terminals.empty()) {
    throw std::runtime_error("gnuplot not found (install gnuplot-nox)");
  }
  throw std::runtime_error("this gnuplot has no png terminal");
}

std::string gnuplot_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void run_gnuplot(const std::string& script, const std::string& what) {
  FILE* pipe = popen("gnuplot", "w");
  if (!pipe) throw std::runtime_error("cannot start gnuplot");
  fwrite(script.data(), 1, script.size(), pipe);
  if (pclose(pipe) != 0) throw std::runtime_error("gnuplot failed to draw " + what);
}

}  // namespace disco
