// Sokoban levels from a text file in Boxoban's format (DeepMind's
// boxoban-levels): each level is a block of map lines, blocks separated by
// "; N" lines or blank lines.
//   '#' wall   ' ' floor   '@' player   '$' box   '.' target
//   '*' box on target   '+' player on target   ('-' and '_' also floor)
// Each level is padded with walls on the right and bottom to rows x columns.
#pragma once

#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "envs/sokoban/sokoban_level.h"

namespace disco {

// Parses `path`. Throws std::invalid_argument naming the file, the level and
// the line for an unreadable file, an unknown character, a level larger than
// rows x columns, one without exactly one player, with no box, or with
// different numbers of boxes and targets.
std::vector<SokobanLevel> load_sokoban_levels(const std::string& path, int rows, int columns);
// The same for the text of such a file; `path` names it in errors.
std::vector<SokobanLevel> parse_sokoban_levels(std::istream& in, int rows, int columns,
                                               const std::string& path);

// The same, parsed once per (path, rows, columns) and shared by every caller
// (every slot of a batch); thread-safe.
std::shared_ptr<const std::vector<SokobanLevel>> shared_sokoban_levels(const std::string& path,
                                                                      int rows, int columns);

}  // namespace disco
