// Checks shared by every loader before it opens a file, so that each error names the file
// and what was expected of it.
#pragma once

#include <cstdint>
#include <string>

namespace tl {

// Throws tl::Error "<what> 'path': does not exist / is a directory / cannot be read".
void require_readable_file(const std::string& path, const std::string& what);

// Size of a readable file in bytes (after require_readable_file).
uint64_t file_size_bytes(const std::string& path);

}  // namespace tl
