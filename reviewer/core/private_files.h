// What the bot keeps on disk (the job queue with webhook payloads, the
// audit log, git mirrors, delivery bodies, index caches) is readable by the
// service's own user only: folders it creates are 0700, data files 0600,
// whatever the process umask.
#pragma once

#include <filesystem>
#include <string_view>

namespace reviewer {

// Like std::filesystem::create_directories, but every folder it creates is
// 0700. Existing folders are left as they are (an operator may have chosen
// their mode). Throws reviewer::Error (io) naming the folder.
void create_private_directories(const std::filesystem::path& dir);

// Creates `file` empty with mode 0600 unless it exists, so a database
// opened on it next never starts out readable by others (SQLite gives its
// -wal and -shm files the database file's mode). Throws reviewer::Error.
void create_private_file(const std::filesystem::path& file);

// Replaces `file` with `bytes`, mode 0600, all at once: written to a
// temporary file of its own beside it, then renamed, so readers (and a
// crash) see the old file or the new one, never half of one; concurrent
// writers each write their own temporary file and the last rename wins.
// Creates missing folders 0700. Throws reviewer::Error (io), e.g. on a full
// disk, leaving the old file in place.
void write_private_file(const std::filesystem::path& file, std::string_view bytes);

}  // namespace reviewer
