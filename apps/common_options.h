// The options every `tl` subcommand shares, and how they are resolved.
//
//   --device cpu|cuda|cuda:N|auto   auto (the default): cuda:0 when a GPU is usable, else cpu;
//                                   the choice is reported on stderr in one line
//   --threads N                     CPU threads (0: all cores)
//   --seed N                        seed of every random generator of the run
//   --batch N                       images per batch
//   --json                          machine-readable results on stdout (everything else on stderr)
//
// Exit codes of tl (main.cpp): 0 ok, 1 runtime error (one line on stderr), 2 usage error.
#pragma once

#include <CLI/CLI.hpp>
#include <initializer_list>
#include <ostream>
#include <string>

#include "apps/commands.h"
#include "engine/device.h"

namespace tl::app {

enum CommonOption : unsigned {
  kDeviceOption = 1u << 0,
  kThreadsOption = 1u << 1,
  kSeedOption = 1u << 2,
  kBatchOption = 1u << 3,
  kJsonOption = 1u << 4,
  kAllCommonOptions = 0x1fu,
};

// Adds the chosen common options (a mask of CommonOption) to `cmd`, bound to `common`, with
// validation that makes bad values usage errors (exit code 2).
void add_common_options(CLI::App& cmd, CommonOptions& common, unsigned which = kAllCommonOptions);

// "Examples:\n  tl train ...\n  ..." for a subcommand's --help footer.
std::string examples_footer(std::initializer_list<std::string> examples);

// The device a run uses: "auto" picks cuda:0 when a GPU is usable, else cpu; an explicit "cuda"
// without a usable GPU is a tl::Error saying why. Writes one line saying which device and why
// to `log` (tl prints it on stderr).
Device resolve_device(const std::string& requested, std::ostream& log);

// An error message as the one line tl prints: newlines become "; ".
std::string one_line(const std::string& message);

}  // namespace tl::app
