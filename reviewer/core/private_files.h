// What the bot keeps on disk (the job queue with webhook payloads, the
// audit log, git mirrors, delivery bodies, index caches) is readable by the
// service's own user only: folders it creates are 0700, data files 0600,
// whatever the process umask.
#pragma once

#include <filesystem>

namespace reviewer {

// Like std::filesystem::create_directories, but every folder it creates is
// 0700. Existing folders are left as they are (an operator may have chosen
// their mode). Throws reviewer::Error (io) naming the folder.
void create_private_directories(const std::filesystem::path& dir);

// Creates `file` empty with mode 0600 unless it exists, so a database
// opened on it next never starts out readable by others (SQLite gives its
// -wal and -shm files the database file's mode). Throws reviewer::Error.
void create_private_file(const std::filesystem::path& file);

}  // namespace reviewer
