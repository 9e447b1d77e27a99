// The group-shared state directory: which modes files get, which key modes
// are refused, and, with real files and (as root) real second accounts,
// that a member of the group can open what another member made while an
// account outside it cannot.
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "mdtc/private_file.h"
#include "mdtc/shared_state.h"
#include "temp_dir.h"

namespace mdtc {
namespace {

unsigned mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

gid_t group_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_gid;
}

// Runs `body` in a child under another uid and groups; its exit status.
int as_account(uid_t uid, const std::vector<gid_t>& groups, const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgroups(groups.size(), groups.data()) != 0 || ::setgid(groups.empty() ? uid : groups[0]) != 0 ||
        ::setuid(uid) != 0)
      ::_exit(90);
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

// Keeps the test's umask out of the result, as a host's umask would be.
struct Umask {
  explicit Umask(mode_t m) : old(::umask(m)) {}
  ~Umask() { ::umask(old); }
  mode_t old;
};

TEST(SharedState, OnlySetgidGroupRwxClosedToOthersIsShared) {
  EXPECT_TRUE(is_group_shared_dir_mode(S_IFDIR | 02770));
  EXPECT_FALSE(is_group_shared_dir_mode(S_IFDIR | 0770));   // new files would keep their creator's group
  EXPECT_FALSE(is_group_shared_dir_mode(S_IFDIR | 02775));  // others may look in
  EXPECT_FALSE(is_group_shared_dir_mode(S_IFDIR | 02750));  // the group cannot write
  EXPECT_FALSE(is_group_shared_dir_mode(S_IFDIR | 0700));
  EXPECT_EQ(data_file_mode(02770), 0660u);
  EXPECT_EQ(key_file_mode(02770), 0640u);
  EXPECT_EQ(data_file_mode(0700), 0600u);
  EXPECT_EQ(key_file_mode(0755), 0600u);
}

TEST(SharedState, AKeyMayBeReadByTheGroupItsDirectoryIsSharedWith) {
  const gid_t g = 500, other = 501;
  EXPECT_EQ(secret_mode_problem(0600, g, 0700, g), "");
  EXPECT_EQ(secret_mode_problem(0640, g, 02770, g), "");  // the shared state directory
  EXPECT_EQ(secret_mode_problem(0640, g, 0750, g), "");   // /etc/mdt-coresponder, root:group 0750
  EXPECT_EQ(secret_mode_problem(0640, other, 02770, g), "has mode 0640: group or others can read the secret");
  EXPECT_EQ(secret_mode_problem(0640, g, 0700, g), "has mode 0640: group or others can read the secret");
  EXPECT_EQ(secret_mode_problem(0640, g, 02775, g), "has mode 0640: group or others can read the secret");
  EXPECT_EQ(secret_mode_problem(0644, g, 02770, g), "has mode 0644: group or others can read the secret");
  EXPECT_EQ(secret_mode_problem(0604, g, 0700, g), "has mode 0604: group or others can read the secret");
  EXPECT_EQ(secret_mode_problem(0660, g, 02770, g), "has mode 0660: its group can replace the secret");
}

TEST(SharedState, WhatIsWrongWithASharedDirectoryOrFileIsSaidInWords) {
  const gid_t g = 500;
  EXPECT_EQ(shared_dir_problem(S_IFDIR | 02770, g, g), "");
  EXPECT_EQ(shared_dir_problem(S_IFDIR | 0700, g, g),
            "has mode 0700: its group cannot read, write and enter it; it is not setgid, so new files would not "
            "take its group: expected 2770 in group mdt-coresponder");
  EXPECT_NE(shared_dir_problem(S_IFDIR | 02770, 0, g).find("its group is not mdt-coresponder"), std::string::npos);
  EXPECT_NE(shared_dir_problem(S_IFDIR | 02777, g, g).find("others can reach it"), std::string::npos);
  EXPECT_EQ(shared_file_problem(0660, g, g, false), "");
  EXPECT_EQ(shared_file_problem(0640, g, g, true), "");
  EXPECT_EQ(shared_file_problem(0600, g, g, false),
            "has mode 0600: its group cannot read and write it: expected 0660 in group mdt-coresponder");
  EXPECT_EQ(shared_file_problem(0600, g, g, true),
            "has mode 0600: its group cannot read it: expected 0640 in group mdt-coresponder");
  EXPECT_NE(shared_file_problem(0664, g, g, false).find("others can reach it"), std::string::npos);
  EXPECT_NE(shared_file_problem(0660, 0, g, false).find("its group is not"), std::string::npos);
  EXPECT_NE(shared_file_problem(0660, g, g, true).find("its group can replace the key"), std::string::npos);
}

TEST(SharedState, DataFilesInASharedDirectoryAre0660InItsGroupWhateverTheUmask) {
  test::TempDir dir;
  ASSERT_EQ(::chmod(dir.path().c_str(), 02770), 0);
  Umask strict(077);
  make_private_file(dir.file("journal.db"));
  EXPECT_EQ(mode_of(dir.file("journal.db")), 0660u);
  EXPECT_EQ(group_of(dir.file("journal.db")), group_of(dir.path()));
  // A file of an older version, owner only, is opened up to the group.
  const int fd = ::open(dir.file("outbox.db").c_str(), O_WRONLY | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ::close(fd);
  make_private_file(dir.file("outbox.db"));
  EXPECT_EQ(mode_of(dir.file("outbox.db")), 0660u);
  // The directory is left shared.
  make_private_dir(dir.path());
  EXPECT_EQ(mode_of(dir.path()), 02770u);
  EXPECT_EQ(secret_file_problem(dir.file("journal.db")), "has mode 0660: its group can replace the secret");
}

TEST(SharedState, InAnAccountsOwnDirectoryFilesStayOwnerOnly) {
  test::TempDir dir;
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  Umask loose(0);
  make_private_file(dir.file("journal.db"));
  EXPECT_EQ(mode_of(dir.file("journal.db")), 0600u);
  ASSERT_EQ(::chmod(dir.file("journal.db").c_str(), 0664), 0);
  make_private_file(dir.file("journal.db"));
  EXPECT_EQ(mode_of(dir.file("journal.db")), 0600u);
  make_private_dir(dir.path());
  EXPECT_EQ(mode_of(dir.path()), 0700u);
}

TEST(SharedState, AKeyInAGroupItsDirectoryIsNotSharedWithIsRefused) {
  test::TempDir dir;
  ASSERT_EQ(::chmod(dir.path().c_str(), 02770), 0);
  const std::string key = dir.file("cache.db.key");
  test::write_file(key, std::string(32, 'k'));
  ASSERT_EQ(::chmod(key.c_str(), 0640), 0);
  EXPECT_EQ(secret_file_problem(key), "");
  // Another group: only root may give a file a group it is not in.
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the key a second group";
  ASSERT_EQ(::chown(key.c_str(), static_cast<uid_t>(-1), group_of(dir.path()) + 4321), 0);
  EXPECT_EQ(secret_file_problem(key), "has mode 0640: group or others can read the secret");
}

TEST(SharedState, AMemberOpensWhatAnotherMemberMadeAndAnOutsiderCannot) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as two further accounts";
  // Ids no account here uses: the kernel checks numbers, not names.
  const gid_t group = 54321;
  const uid_t first = 54322, second = 54323, outsider = 54324;
  test::TempDir dir;
  ASSERT_EQ(::chown(dir.path().c_str(), first, group), 0);
  ASSERT_EQ(::chmod(dir.path().c_str(), 02770), 0);
  const std::string db = dir.file("cache.db");
  EXPECT_EQ(as_account(first, {group}, [&] {
              ::umask(077);
              make_private_file(db);
              const int fd = ::open(db.c_str(), O_WRONLY);
              return fd >= 0 && ::write(fd, "x", 1) == 1 ? 0 : 1;
            }),
            0);
  EXPECT_EQ(mode_of(db), 0660u);
  EXPECT_EQ(group_of(db), group);
  EXPECT_EQ(as_account(second, {group}, [&] { return ::open(db.c_str(), O_RDWR) >= 0 ? 0 : 1; }), 0);
  EXPECT_EQ(as_account(outsider, {outsider + 1}, [&] { return ::open(db.c_str(), O_RDONLY) < 0 && errno == EACCES ? 0 : 1; }),
            0);
}

TEST(SharedState, ARunningProcesssGroupsAreReadFromItsStatusText) {
  EXPECT_EQ(groups_in_proc_status("Name:\tmdt-coresponder-panel\nUid:\t1000\t1000\t1000\t1000\n"
                                  "Groups:\t24 27 995 \nNSpgid:\t812\n"),
            (std::vector<gid_t>{24, 27, 995}));
  EXPECT_EQ(groups_in_proc_status("Groups:\n"), std::vector<gid_t>{});
  EXPECT_EQ(groups_in_proc_status("Groups:\t4294967295"), std::vector<gid_t>{4294967295u});
  EXPECT_EQ(groups_in_proc_status("Name:\tx\n"), std::nullopt);
  EXPECT_EQ(groups_in_proc_status("Groups:\t27 x9"), std::nullopt);
  EXPECT_EQ(groups_in_proc_status("Groups:\t99999999999"), std::nullopt);
}

TEST(SharedState, GroupMembershipIsReadFromTheGroupDatabase) {
  const gid_t mine = ::getgid();
  EXPECT_TRUE(account_in_group("no-such-account-here", mine, mine));  // the primary group
  EXPECT_FALSE(account_in_group("no-such-account-here", mine, mine + 4321));
}

}  // namespace
}  // namespace mdtc
