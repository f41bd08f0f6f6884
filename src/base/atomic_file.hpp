#pragma once
/// Replacing a small file so that a crash leaves either the old or the new content: write a
/// temporary file beside it, fsync, rename over the original, fsync the directory.

#include <string>

#include "base/error.hpp"

namespace spindle {

/// Replaces `path` with `text` atomically and durably. The parent directory must exist. The
/// file gets `mode` (e.g. 0600 for files that may hold secrets). Fails with kIo and the step.
Status writeFileAtomically(const std::string& path, const std::string& text, int mode = 0644);

}  // namespace spindle
