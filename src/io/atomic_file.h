// Atomic replacement of a file: write to a temporary file in the same folder,
// fsync it, rename it over the target, fsync the folder. Readers see the old
// file or the new one, never half of one. If commit() is never called (an
// exception on the way), the temporary file is removed.
#pragma once

#include <string>
#include <vector>

namespace disco {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& temp_path() const { return temp_; }
  // fsync the temporary file, rename it to the target, fsync the folder.
  void commit();

 private:
  std::string path_;
  std::string temp_;
  bool committed_ = false;
};

// Writes `bytes` to `path` atomically.
void write_file_atomically(const std::string& path, const std::string& bytes);

}  // namespace disco
