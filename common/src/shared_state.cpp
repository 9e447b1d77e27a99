#include "mdtc/shared_state.h"

#include <grp.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

namespace mdtc {
namespace {

std::string octal(unsigned mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", mode & 07777);
  return text;
}

}  // namespace

bool is_group_shared_dir_mode(unsigned dir_mode) {
  return (dir_mode & S_ISGID) != 0 && (dir_mode & 070) == 070 && (dir_mode & 007) == 0;
}

unsigned data_file_mode(unsigned dir_mode) { return is_group_shared_dir_mode(dir_mode) ? 0660 : 0600; }

unsigned key_file_mode(unsigned dir_mode) { return is_group_shared_dir_mode(dir_mode) ? 0640 : 0600; }

std::string secret_mode_problem(unsigned file_mode, gid_t file_gid, unsigned dir_mode, gid_t dir_gid) {
  const unsigned mode = file_mode & 07777;
  const std::string exposed = "has mode " + octal(mode) + ": group or others can read the secret";
  if ((mode & 007) != 0) return exposed;
  if ((mode & 020) != 0) return "has mode " + octal(mode) + ": its group can replace the secret";
  if ((mode & 040) == 0) return {};
  // Group read: only for the group the directory is already shared with
  // (it may enter it), and only where the directory keeps others out.
  if (file_gid != dir_gid || (dir_mode & 010) == 0 || (dir_mode & 007) != 0) return exposed;
  return {};
}

std::optional<DirMode> parent_dir_mode(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string dir = parent.empty() ? std::string(".") : parent.string();
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return std::nullopt;
  return DirMode{static_cast<unsigned>(st.st_mode), st.st_uid, st.st_gid};
}

std::string secret_file_problem(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
  const auto dir = parent_dir_mode(path);
  // No directory to judge by: owner only, the old rule.
  if (!dir) return secret_mode_problem(st.st_mode, st.st_gid, 0777, static_cast<gid_t>(-1));
  return secret_mode_problem(st.st_mode, st.st_gid, dir->mode, dir->gid);
}

std::string shared_dir_problem(unsigned dir_mode, gid_t dir_gid, gid_t group_gid) {
  std::vector<std::string> wrong;
  if (dir_gid != group_gid) wrong.push_back("its group is not " + std::string(kServiceGroup));
  if ((dir_mode & 070) != 070) wrong.push_back("its group cannot read, write and enter it");
  if ((dir_mode & S_ISGID) == 0) wrong.push_back("it is not setgid, so new files would not take its group");
  if ((dir_mode & 007) != 0) wrong.push_back("others can reach it");
  if (wrong.empty()) return {};
  std::string text = "has mode " + octal(dir_mode) + ": ";
  for (std::size_t i = 0; i < wrong.size(); ++i) text += (i ? "; " : "") + wrong[i];
  return text + ": expected 2770 in group " + kServiceGroup;
}

std::string shared_file_problem(unsigned file_mode, gid_t file_gid, gid_t group_gid, bool is_key) {
  const unsigned mode = file_mode & 07777;
  const unsigned need = is_key ? 040 : 060;
  std::vector<std::string> wrong;
  if (file_gid != group_gid) wrong.push_back("its group is not " + std::string(kServiceGroup));
  if ((mode & need) != need) wrong.push_back(is_key ? "its group cannot read it" : "its group cannot read and write it");
  if ((mode & 007) != 0) wrong.push_back("others can reach it");
  if (is_key && (mode & 020) != 0) wrong.push_back("its group can replace the key");
  if (wrong.empty()) return {};
  std::string text = "has mode " + octal(mode) + ": ";
  for (std::size_t i = 0; i < wrong.size(); ++i) text += (i ? "; " : "") + wrong[i];
  return text + ": expected " + (is_key ? "0640" : "0660") + " in group " + kServiceGroup;
}

std::optional<std::vector<gid_t>> groups_in_proc_status(std::string_view text) {
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.substr(0, 7) != "Groups:") continue;
    std::vector<gid_t> groups;
    unsigned long long value = 0;
    bool in_number = false;
    for (const char c : line.substr(7)) {
      if (c >= '0' && c <= '9') {
        value = value * 10 + static_cast<unsigned>(c - '0');
        if (value > 0xFFFFFFFFull) return std::nullopt;  // not a gid
        in_number = true;
      } else if (c == ' ' || c == '\t') {
        if (in_number) groups.push_back(static_cast<gid_t>(value));
        value = 0;
        in_number = false;
      } else {
        return std::nullopt;
      }
    }
    if (in_number) groups.push_back(static_cast<gid_t>(value));
    return groups;
  }
  return std::nullopt;
}

bool account_in_group(const std::string& user, gid_t primary_gid, gid_t gid) {
  if (primary_gid == gid) return true;
  int n = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(n));
  while (::getgrouplist(user.c_str(), primary_gid, groups.data(), &n) < 0) {
    groups.resize(static_cast<std::size_t>(n) + 16);
    n = static_cast<int>(groups.size());
  }
  for (int i = 0; i < n; ++i)
    if (groups[static_cast<std::size_t>(i)] == gid) return true;
  return false;
}

}  // namespace mdtc
