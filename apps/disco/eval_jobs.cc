#include "eval_jobs.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <stdexcept>

namespace disco::cli {
namespace {
namespace fs = std::filesystem;

// One `disco train` child: its arguments and its log file.
struct Job {
  const PlannedRun* planned;
  std::vector<std::string> argv;
  std::string log;
};

}  // namespace

pid_t start_self(const std::vector<std::string>& args, const std::string& log) {
  std::cout << std::flush;  // else the child's copy of the buffer is written too
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("cannot start `disco " + args.at(1) + "` (fork failed)");
  if (pid == 0) {
    if (!log.empty()) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
      }
    }
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  return pid;
}

void run_all(const std::vector<PlannedRun>& runs, const RunOptions& o, const std::string& what) {
  const fs::path out(o.out);
  const int threads = o.threads;
  std::vector<Job> todo;
  std::vector<std::string> restarted;
  int finished = 0;
  for (const PlannedRun& p : runs) {
    const RunState state = run_state(p.run.dir, p.steps);
    if (state == RunState::kFinished) {
      ++finished;
      continue;
    }
    Job job{&p, {"disco", "train"}, ""};
    if (state == RunState::kNoCheckpoint) {
      // Killed before its first checkpoint: its settings and first metrics
      // rows are all there is, and `disco train` will not overwrite them.
      restarted.push_back(p.run.dir);
      fs::remove_all(p.run.dir);
    }
    if (state == RunState::kPartial) {
      job.argv.insert(job.argv.end(), {"--resume", p.run.dir});
    } else {
      job.argv.insert(job.argv.end(), {"--rule", p.run.rule, "--env", p.run.env, "--seed",
                                       std::to_string(p.run.seed), "--steps",
                                       std::to_string(p.steps), "--out", p.run.dir});
      if (!p.config.empty()) job.argv.insert(job.argv.end(), {"--config", p.config});
    }
    job.argv.insert(job.argv.end(), {"--threads", std::to_string(threads)});
    std::string name = fs::relative(p.run.dir, out).string();
    std::replace(name.begin(), name.end(), '/', '-');
    job.log = (out / "logs" / (name + ".log")).string();
    todo.push_back(job);
  }
  std::cout << what << ": " << runs.size() << " runs of " << o.frames << " frames; " << finished
            << " finished, " << todo.size() << " to run, " << o.jobs << " at a time with "
            << threads << " thread" << (threads == 1 ? "" : "s") << " each -> " << o.out
            << std::endl;
  for (const auto& dir : restarted) {
    std::cout << "restarting " << dir << " (stopped before its first checkpoint)" << std::endl;
  }

  std::map<pid_t, const Job*> running;
  std::vector<std::string> failed;
  size_t next = 0;
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && static_cast<int>(running.size()) < o.jobs) {
      running[start_self(todo[next].argv, todo[next].log)] = &todo[next];
      ++next;
    }
    int status = 0;
    const pid_t pid = wait(&status);
    if (pid < 0) break;
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const Job& job = *it->second;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    std::cout << (ok ? "done   " : "FAILED ") << job.planned->run.dir
              << (ok ? "" : " (see " + job.log + ")") << std::endl;
    if (!ok) failed.push_back(job.planned->run.dir);
    running.erase(it);
  }
  if (!failed.empty()) {
    throw std::runtime_error(std::to_string(failed.size()) + " of " + std::to_string(todo.size()) +
                             " runs failed (first: " + failed.front() + "); rerun to resume them");
  }
}

}  // namespace disco::cli
