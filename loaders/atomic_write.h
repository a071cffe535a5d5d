// Atomic file output: everything tl writes that a later run trusts (checkpoints, feature
// caches, reports) is written to a temporary file next to the target, flushed to disk, and
// renamed over the target. rename() within a directory is atomic on POSIX, so a reader sees
// either the old complete file or the new complete file, never a truncated one, even if the
// writer is killed midway.
//
//   write_file_atomically("head.h5", [&](const std::string& tmp) { save_head(tmp); });
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace tl {

// Calls write(temp_path), fsyncs the result and renames it to `path`. If `write` throws, the
// temporary file is removed and `path` is left untouched.
void write_file_atomically(const std::string& path, const std::function<void(const std::string& temp_path)>& write);

// Writes `bytes` (text or binary) to `path` the same way.
void write_bytes_atomically(const std::string& path, std::string_view bytes);

// The temporary path used for `path` ("<path>.tmp-<pid>"), for tests.
std::string atomic_temp_path(const std::string& path);

}  // namespace tl
