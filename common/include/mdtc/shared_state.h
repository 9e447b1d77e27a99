// The plugin's state directory (cache, outbox, journal, outcomes, position,
// their keys) may be one account's own or shared by a group.
//
// A packaged car shares it: /var/lib/mdt-coresponder is mode 2770, owned by
// the mdt-coresponder account and group. The MDT vendor's host may run the
// plugin as that account while the panel host runs it as whoever is signed
// in; both are in the group, so both must open every file. A group-shared
// directory (setgid, group rwx, nothing for others) therefore gets data
// files 0660 and key files 0640; any other directory gets 0600 for both,
// as before. The setgid bit gives each new file the directory's group.
//
// Key files are never readable by others. Group read is allowed only when
// the key's group is its directory's group, that group may enter the
// directory and others may not (/etc/mdt-coresponder, 0750 root:group, or
// the shared state directory): the key is shared with exactly the accounts
// the directory is already shared with.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mdtc {

// The package's system account and group (packaging/debian/postinst).
inline constexpr const char* kServiceGroup = "mdt-coresponder";

// Pure. setgid, group read/write/search, and no access for others.
bool is_group_shared_dir_mode(unsigned dir_mode);
// Pure. The mode a new data file (SQLite database, log) gets in a directory of dir_mode.
unsigned data_file_mode(unsigned dir_mode);
// Pure. The mode a new key file gets in a directory of dir_mode.
unsigned key_file_mode(unsigned dir_mode);
// Pure. Why a secret file (mode, group) in a directory (mode, group) must
// not be used, "has mode 0644: group or others can read the secret", or
// empty when its mode is fine.
std::string secret_mode_problem(unsigned file_mode, gid_t file_gid, unsigned dir_mode, gid_t dir_gid);
// The same for a file on disk (its parent directory stat'ed too); empty when
// the file is absent or not a regular file.
std::string secret_file_problem(const std::string& path);

// The mode and group of the directory holding `path` ("." for a bare name);
// empty when it cannot be stat'ed.
struct DirMode {
  unsigned mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};
std::optional<DirMode> parent_dir_mode(const std::string& path);

// Pure. What is wrong with a state directory that is meant to be shared with
// `group_gid`: empty when it is owned by that group, setgid, group rwx and
// closed to others; else what to change, in words.
std::string shared_dir_problem(unsigned dir_mode, gid_t dir_gid, gid_t group_gid);
// Pure. What is wrong with a file in a shared directory: the group cannot
// read and write it (read, for a key), others can reach it, or its group is
// not the directory's. Empty when fine.
std::string shared_file_problem(unsigned file_mode, gid_t file_gid, gid_t group_gid, bool is_key);

// Pure. The supplementary groups of a process from the text of its
// /proc/PID/status ("Groups:\t0 27 995\n"); empty when there is no
// Groups line or it holds anything but ids. Doctor asks whether a running
// panel host's session already has the group.
std::optional<std::vector<gid_t>> groups_in_proc_status(std::string_view status_text);

// Whether the account `user` (primary group `primary_gid`) is a member of
// group `gid`, from the group database (what the next login will have).
bool account_in_group(const std::string& user, gid_t primary_gid, gid_t gid);

}  // namespace mdtc
