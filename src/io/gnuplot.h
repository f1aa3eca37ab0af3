// Drawing with gnuplot (Debian's gnuplot-nox): the PNG terminal this
// machine's gnuplot offers, quoting, and running a script.
#pragma once

#include <string>

namespace disco {

// "set terminal ..." arguments for a width x height PNG: pngcairo where
// gnuplot has it, else libgd's png. Throws std::runtime_error when gnuplot is
// missing or has no PNG terminal.
std::string gnuplot_png_terminal(int width = 900, int height = 560);

// `s` as a gnuplot string literal.
std::string gnuplot_quoted(const std::string& s);

// Runs `script`; throws std::runtime_error naming `what` when gnuplot fails.
void run_gnuplot(const std::string& script, const std::string& what);

}  // namespace disco
