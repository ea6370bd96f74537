// Local-file helpers for the lake writer: atomic whole-file writes, whole-file reads, and the
// mapping between local paths and the "file:///" URIs that Iceberg metadata must carry.
//
// Iceberg readers trust that a file named by committed metadata is complete, so every metadata
// file is written with WriteFileAtomic: a reader sees either no file or the whole file, and the
// content survives a crash once the call returns OK.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace tradeflow::lake {

// Writes `bytes` to `path` atomically: the data goes to a temporary file in the same directory,
// is fsync'ed, renamed over `path`, and the directory is fsync'ed. Missing parent directories
// are created. An existing file at `path` is replaced. On failure the temporary file is removed.
Status WriteFileAtomic(const std::string& path, std::string_view bytes);

// Reads the whole file. NotFound if it does not exist, IOError on other failures.
Result<std::string> ReadFile(const std::string& path);

// "file://" + absolute_path, e.g. "/data/t/x.avro" -> "file:///data/t/x.avro".
// REQUIRES: absolute_path starts with '/'. The path is not percent-encoded: pyiceberg and Java
// take the path of a file URI as-is, so escaping would name a different file for them.
std::string ToFileUri(const std::string& absolute_path);

// The local path named by `uri`. Accepts "file:///abs/path", Java's "file:/abs/path" and plain
// absolute paths ("/abs/path"). Anything else (other schemes, a host, relative paths) is
// Invalid, because it does not name a file on this machine.
Result<std::string> LocalPathFromUri(std::string_view uri);

// Deletes `path`; a file that is already gone is not an error.
Status RemoveFileIfExists(const std::string& path);

}  // namespace tradeflow::lake
