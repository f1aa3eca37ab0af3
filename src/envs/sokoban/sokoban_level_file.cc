#include "envs/sokoban/sokoban_level_file.h"

#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>

namespace disco {
namespace {

bool is_blank(const std::string& line) {
  return line.find_first_not_of(" \t") == std::string::npos;
}

struct Block {
  int first_line = 0;  // 1-based line number of the first map line
  std::vector<std::string> lines;
};

SokobanLevel parse_block(const Block& block, int rows, int columns, const std::string& where) {
  const auto fail = [&](int line, const std::string& what) {
    throw std::invalid_argument("sokoban levels file " + where + " line " + std::to_string(line) +
                                ": " + what);
  };
  if (static_cast<int>(block.lines.size()) > rows) {
    fail(block.first_line, "level has " + std::to_string(block.lines.size()) +
                               " rows, more than rows=" + std::to_string(rows));
  }
  SokobanLevel level;
  level.rows = rows;
  level.columns = columns;
  level.cells.assign(rows * columns, kSokobanWall);
  int players = 0, boxes = 0, targets = 0;
  for (int r = 0; r < static_cast<int>(block.lines.size()); ++r) {
    const std::string& line = block.lines[r];
    const int line_number = block.first_line + r;
    if (static_cast<int>(line.size()) > columns) {
      fail(line_number, "row is " + std::to_string(line.size()) + " wide, more than columns=" +
                            std::to_string(columns));
    }
    for (int c = 0; c < static_cast<int>(line.size()); ++c) {
      uint8_t& cell = level.cells[r * columns + c];
      switch (line[c]) {
        case '#': cell = kSokobanWall; break;
        case ' ': case '-': case '_': cell = 0; break;
        case '.': cell = kSokobanTarget; ++targets; break;
        case '$': cell = kSokobanBox; ++boxes; break;
        case '*': cell = kSokobanBox | kSokobanTarget; ++boxes; ++targets; break;
        case '@': cell = 0; level.player = r * columns + c; ++players; break;
        case '+': cell = kSokobanTarget; level.player = r * columns + c; ++players; ++targets; break;
        default: fail(line_number, std::string("unknown character '") + line[c] + "'");
      }
    }
  }
  if (players != 1) fail(block.first_line, "level has " + std::to_string(players) + " players, not 1");
  if (boxes == 0) fail(block.first_line, "level has no box");
  if (boxes != targets) {
    fail(block.first_line, "level has " + std::to_string(boxes) + " boxes but " +
                               std::to_string(targets) + " targets");
  }
  return level;
}

}  // namespace

std::vector<SokobanLevel> load_sokoban_levels(const std::string& path, int rows, int columns) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("sokoban: cannot open levels file '" + path + "'");
  return parse_sokoban_levels(in, rows, columns, path);
}

std::vector<SokobanLevel> parse_sokoban_levels(std::istream& in, int rows, int columns,
                                               const std::string& path) {
  std::vector<Block> blocks;
  Block current;
  std::string line;
  int line_number = 0;
  const auto flush = [&] {
    if (!current.lines.empty()) blocks.push_back(current);
    current = Block{};
  };
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (is_blank(line) || line[0] == ';') {
      flush();
      continue;
    }
    if (current.lines.empty()) current.first_line = line_number;
    current.lines.push_back(line);
  }
  flush();
  if (blocks.empty()) throw std::invalid_argument("sokoban: levels file '" + path + "' has no level");
  std::vector<SokobanLevel> levels;
  levels.reserve(blocks.size());
  for (const Block& b : blocks) levels.push_back(parse_block(b, rows, columns, "'" + path + "'"));
  return levels;
}

std::shared_ptr<const std::vector<SokobanLevel>> shared_sokoban_levels(const std::string& path,
                                                                      int rows, int columns) {
  static std::mutex mutex;
  static std::map<std::tuple<std::string, int, int>, std::shared_ptr<const std::vector<SokobanLevel>>>
      cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& entry = cache[{path, rows, columns}];
  if (!entry) {
    entry = std::make_shared<const std::vector<SokobanLevel>>(load_sokoban_levels(path, rows, columns));
  }
  return entry;
}

}  // namespace disco
