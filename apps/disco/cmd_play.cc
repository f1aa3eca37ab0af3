// `disco play --env ENV [--policy keyboard|random] [--seed S] [--delay-ms D] [--episodes N]`:
// shows an environment in the terminal (Environment::render()) and lets a
// person play it, or watches a random agent.
//
// Keyboard play needs a terminal on stdin: it switches the terminal to
// unbuffered, silent input (termios) and restores it on every way out
// (normal end, exception, SIGTERM/SIGHUP). Keys: arrows or w/a/s/d move,
// space fires, '.' waits, r restarts the episode, q (or Ctrl-C) quits. With
// a delay the game runs in real time (the last key of each frame is the
// action, no key means no-op); with --delay-ms 0 it waits for a key per step.
//
// `--policy random` needs no terminal: when stdout is not a terminal it
// prints plain frames one after another, so it can be piped and tested.
#include <poll.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "envs/registry.h"

namespace disco::cli {
namespace {

// ---- Terminal -------------------------------------------------------------

struct termios g_saved_termios;
volatile sig_atomic_t g_termios_saved = 0;

void restore_terminal_on_signal(int sig) {
  if (g_termios_saved) tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
  const char show_cursor[] = "\x1b[?25h\n";
  (void)!write(STDOUT_FILENO, show_cursor, sizeof show_cursor - 1);
  signal(sig, SIG_DFL);
  raise(sig);
}

// Unbuffered, silent keyboard input for as long as it lives. Output
// processing is left on, so '\n' still starts a new line.
class RawTerminal {
 public:
  RawTerminal() {
    if (tcgetattr(STDIN_FILENO, &g_saved_termios) != 0) {
      throw std::runtime_error("cannot read the terminal settings of stdin");
    }
    g_termios_saved = 1;
    struct termios raw = g_saved_termios;
    raw.c_lflag &= ~(ICANON | ECHO | ISIG);  // Ctrl-C arrives as a key and quits cleanly
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    signal(SIGTERM, restore_terminal_on_signal);
    signal(SIGHUP, restore_terminal_on_signal);
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    std::cout << "\x1b[?25l" << std::flush;  // hide the cursor
  }
  ~RawTerminal() {
    tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
    g_termios_saved = 0;
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    std::cout << "\x1b[?25h" << std::flush;
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;
};

enum class Key : int { kNone, kLeft, kRight, kUp, kDown, kFire, kWait, kRestart, kQuit, kOther };

// Keys that choose an action by its name in some environments (Crafter's
// sleep, place and make actions; danijar/crafter's run_gui.py keys, with 'o'
// for place_stone since r restarts) travel as the character they were typed as.
struct ActionKey {
  char c;
  const char* action;
  const char* label;
};
constexpr ActionKey kActionKeys[] = {
    {'\t', "sleep", "tab"},          {'t', "place_table", "t"},
    {'f', "place_furnace", "f"},     {'p', "place_plant", "p"},
    {'o', "place_stone", "o"},       {'1', "make_wood_pickaxe", "1"},
    {'2', "make_stone_pickaxe", "2"}, {'3', "make_iron_pickaxe", "3"},
    {'4', "make_wood_sword", "4"},   {'5', "make_stone_sword", "5"},
    {'6', "make_iron_sword", "6"},
};
Key char_key(unsigned char c) { return static_cast<Key>(0x100 + c); }
// The character of a key made by char_key, or -1.
int key_char(Key k) { return static_cast<int>(k) >= 0x100 ? static_cast<int>(k) - 0x100 : -1; }

// The keys typed within `timeout_ms` (-1: wait for the first), in order.
std::vector<Key> read_keys(int timeout_ms) {
  std::vector<Key> keys;
  struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
  if (poll(&pfd, 1, timeout_ms) <= 0) return keys;
  unsigned char buf[64];
  const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
  if (n == 0) keys.push_back(Key::kQuit);  // end of input
  for (ssize_t i = 0; i < n; ++i) {
    const unsigned char c = buf[i];
    if (c == 0x1b && i + 2 < n && buf[i + 1] == '[') {  // arrow keys: ESC [ A..D
      const unsigned char code = buf[i + 2];
      i += 2;
      keys.push_back(code == 'A'   ? Key::kUp
                     : code == 'B' ? Key::kDown
                     : code == 'C' ? Key::kRight
                     : code == 'D' ? Key::kLeft
                                   : Key::kOther);
      continue;
    }
    switch (c) {
      case 'a': case 'h': keys.push_back(Key::kLeft); break;
      case 'd': case 'l': keys.push_back(Key::kRight); break;
      case 'w': case 'k': keys.push_back(Key::kUp); break;
      case 's': case 'j': keys.push_back(Key::kDown); break;
      case ' ': keys.push_back(Key::kFire); break;
      case '.': case '\n': keys.push_back(Key::kWait); break;
      case 'r': keys.push_back(Key::kRestart); break;
      case 'q': case 3: case 4: keys.push_back(Key::kQuit); break;  // q, Ctrl-C, Ctrl-D
      default: {
        const bool named = std::any_of(std::begin(kActionKeys), std::end(kActionKeys),
                                       [c](const ActionKey& k) { return k.c == static_cast<char>(c); });
        keys.push_back(named ? char_key(c) : Key::kOther);
      }
    }
  }
  return keys;
}

// ---- Actions ----------------------------------------------------------------

// The environment's action for a key, found by name (MinAtar: left/up/right/
// down/fire/noop; Catch: left/stay/right; Crafter: move_left/.../do and the
// kActionKeys); `fallback` when it has none.
int action_for(Key key, const std::vector<std::string>& names, int fallback) {
  auto find = [&names](std::initializer_list<const char*> wanted) {
    for (const char* w : wanted) {
      const auto it = std::find(names.begin(), names.end(), w);
      if (it != names.end()) return static_cast<int>(it - names.begin());
    }
    return -1;
  };
  int a = -1;
  switch (key) {
    case Key::kLeft: a = find({"left", "move_left"}); break;
    case Key::kRight: a = find({"right", "move_right"}); break;
    case Key::kUp: a = find({"up", "move_up"}); break;
    case Key::kDown: a = find({"down", "move_down"}); break;
    case Key::kFire: a = find({"fire", "do"}); break;
    default:
      for (const ActionKey& k : kActionKeys) {
        if (key_char(key) == k.c) a = find({k.action});
      }
  }
  return a >= 0 ? a : fallback;
}

int noop_action(const std::vector<std::string>& names) {
  for (const char* w : {"noop", "stay"}) {
    const auto it = std::find(names.begin(), names.end(), w);
    if (it != names.end()) return static_cast<int>(it - names.begin());
  }
  return 0;
}

// ---- The session ------------------------------------------------------------

struct PlayOptions {
  std::string env;
  std::string policy = "keyboard";
  uint64_t seed = 0;
  int delay_ms = -1;  // -1: the policy's default
  int episodes = 0;   // 0: until quit
};

class PlaySession {
 public:
  explicit PlaySession(const PlayOptions& o)
      : options_(o),
        env_(make_env(o.env)),
        rng_(Rng(o.seed).split(0)),  // the generator BatchedEnv gives slot 0
        policy_rng_(o.seed ^ 0x5eedull),
        names_(env_->action_names()),
        achievement_names_(env_->achievement_names()),
        noop_(noop_action(names_)),
        clear_screen_(isatty(STDOUT_FILENO)) {}

  void run(bool keyboard) {
    env_->reset(rng_);
    draw("start");
    while (options_.episodes == 0 || episodes_ < options_.episodes) {
      int action = noop_;
      if (keyboard) {
        const Key key = next_key();
        if (key == Key::kQuit) break;
        if (key == Key::kRestart) {
          end_episode("restarted");
          continue;
        }
        action = action_for(key, names_, noop_);
      } else {
        if (options_.delay_ms > 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(options_.delay_ms));
        }
        action = policy_rng_.uniform_int(env_->spec().num_actions);
      }
      step(action);
    }
    std::ostringstream out;
    out << "played " << episodes_ << " episode" << (episodes_ == 1 ? "" : "s");
    if (episodes_ > 0) out << ", mean return " << total_return_ / episodes_;
    std::cout << out.str() << "\n" << std::flush;
  }

 private:
  // Keyboard: the last key typed during the frame (real time), or the next
  // key typed, in order (turn by turn, --delay-ms 0).
  Key next_key() {
    if (options_.delay_ms == 0) {
      while (pending_.empty()) {
        for (Key k : read_keys(-1)) pending_.push_back(k);
      }
      const Key key = pending_.front();
      pending_.pop_front();
      return key;
    }
    Key last = Key::kNone;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.delay_ms);
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            until - std::chrono::steady_clock::now()).count();
      if (left <= 0) break;
      for (Key k : read_keys(static_cast<int>(left))) {
        if (k == Key::kQuit || k == Key::kRestart) return k;
        if (k != Key::kOther) last = k;
      }
    }
    return last;
  }

  void step(int action) {
    const StepOutcome out = env_->step(action, rng_);
    ++length_;
    last_reward_ = out.reward;
    return_ += out.reward;
    const int limit = env_->spec().max_episode_steps;
    const bool truncated = !out.terminal && (out.truncated || (limit > 0 && length_ >= limit));
    draw(names_[action]);
    if (out.terminal || truncated) end_episode(out.terminal ? "ended" : "cut by the time limit");
  }

  void end_episode(const char* how) {
    ++episodes_;
    total_return_ += return_;
    std::cout << "episode " << episodes_ << " " << how << ": return " << return_ << ", "
              << length_ << " steps"
              << (achievement_names_.empty() ? "" : ", unlocked" + unlocked_text()) << "\n"
              << std::flush;
    if (clear_screen_ && options_.delay_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::max(500, 5 * options_.delay_ms)));
    }
    return_ = 0;
    length_ = 0;
    last_reward_ = 0;
    if (options_.episodes == 0 || episodes_ < options_.episodes) {
      env_->reset(rng_);
      draw("start");
    }
  }

  void draw(const std::string& action) {
    std::ostringstream out;
    if (clear_screen_) {
      out << "\x1b[H\x1b[2J";  // home, clear
    } else {
      out << "--- frame " << frame_ << " ---\n";
    }
    ++frame_;
    out << env_->spec().name << "\n" << env_->render();
    out << "episode " << episodes_ + 1 << "  step " << length_ << "  action " << action
        << "  reward " << last_reward_ << "  return " << return_ << "\n";
    out << "actions:";
    for (const std::string& n : names_) out << " " << n;
    out << "\n";
    if (options_.policy == "keyboard") {
      out << "keys: arrows or wasd move, space fire (or do), . wait, r restart, q quit";
      for (const ActionKey& k : kActionKeys) {
        if (std::find(names_.begin(), names_.end(), k.action) != names_.end()) {
          out << ", " << k.label << " " << k.action;
        }
      }
      out << "\n";
    }
    std::cout << out.str() << std::flush;
  }

  // " a, b": the achievements unlocked in this episode (" none" for none).
  std::string unlocked_text() const {
    std::string text;
    const uint64_t bits = env_->unlocked_achievements();
    for (size_t k = 0; k < achievement_names_.size(); ++k) {
      if (bits >> k & 1) text += (text.empty() ? " " : ", ") + achievement_names_[k];
    }
    return text.empty() ? " none" : text;
  }

  PlayOptions options_;
  std::deque<Key> pending_;  // keys typed ahead (turn by turn)
  std::unique_ptr<Environment> env_;
  Rng rng_;
  Rng policy_rng_;
  std::vector<std::string> names_;
  std::vector<std::string> achievement_names_;
  int noop_;
  bool clear_screen_;
  int episodes_ = 0;
  int length_ = 0;
  long frame_ = 0;
  float last_reward_ = 0;
  float return_ = 0;
  double total_return_ = 0;
};

void play(PlayOptions o) {
  if (o.policy != "keyboard" && o.policy != "random") {
    throw UsageError("--policy must be 'keyboard' or 'random', got '" + o.policy + "'");
  }
  if (o.episodes < 0) throw UsageError("--episodes must be >= 0, got " + std::to_string(o.episodes));
  if (o.delay_ms < -1) throw UsageError("--delay-ms must be >= 0, got " + std::to_string(o.delay_ms));
  const bool keyboard = o.policy == "keyboard";
  if (o.delay_ms == -1) o.delay_ms = keyboard ? 200 : (isatty(STDOUT_FILENO) ? 100 : 0);
  if (keyboard && !isatty(STDIN_FILENO)) {
    throw UsageError("keyboard play needs a terminal on stdin (use --policy random to watch a "
                     "random agent without one)");
  }
  std::unique_ptr<PlaySession> session;
  try {
    session = std::make_unique<PlaySession>(o);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());  // a bad environment name or parameter
  }
  if (keyboard) {
    RawTerminal raw;  // restored when this scope ends, exceptions included
    session->run(/*keyboard=*/true);
  } else {
    session->run(/*keyboard=*/false);
  }
}

}  // namespace

void add_play_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("play", "Play an environment from the keyboard, or watch a random agent");
  auto o = std::make_shared<PlayOptions>();
  cmd->add_option("--env", o->env, "Environment, e.g. minatar_seaquest or catch(rows=8)")->required();
  cmd->add_option("--policy", o->policy, "keyboard (default) or random");
  cmd->add_option("--seed", o->seed, "Seed of the environment (and of the random agent)");
  cmd->add_option("--delay-ms", o->delay_ms,
                  "Milliseconds per frame (default: 200 keyboard, 100 random on a terminal, "
                  "0 random otherwise); keyboard with 0: one step per key");
  cmd->add_option("--episodes", o->episodes, "Stop after this many episodes (0: until quit)");
  cmd->callback([o]() { play(*o); });
}

}  // namespace disco::cli
