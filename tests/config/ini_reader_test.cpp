// The pure INI reader: what counts as a section, an entry, a comment.
#include "ini_reader.h"

#include <gtest/gtest.h>

namespace mdtc::config::detail {
namespace {

TEST(IniReader, EntriesCarrySectionKeyValueAndLine) {
  auto doc = parse_ini("# c\n[gps]\n  baud =  4800  \n\n[unit]\nid=2A31");
  ASSERT_TRUE(doc.problems.empty());
  ASSERT_EQ(doc.entries.size(), 2u);
  EXPECT_EQ(doc.entries[0].section, "gps");
  EXPECT_EQ(doc.entries[0].key, "baud");
  EXPECT_EQ(doc.entries[0].value, "4800");
  EXPECT_EQ(doc.entries[0].line, 3);
  EXPECT_EQ(doc.entries[1].value, "2A31");
  EXPECT_EQ(doc.entries[1].line, 6);
  ASSERT_EQ(doc.sections.size(), 2u);
  EXPECT_EQ(doc.sections[1].line, 5);
}

TEST(IniReader, HashInsideAValueIsPartOfIt) {
  auto doc = parse_ini("[coresponder]\nfallback = APT #3B ; not a comment\n");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].value, "APT #3B ; not a comment");
}

TEST(IniReader, QuotesKeepSpacesAndAreStrippedOnce) {
  auto doc = parse_ini("[unit]\nname = \" a \"\nid = \"\"\n");
  ASSERT_EQ(doc.entries.size(), 2u);
  EXPECT_EQ(doc.entries[0].value, " a ");
  EXPECT_EQ(doc.entries[1].value, "");
}

TEST(IniReader, ValueMayContainEqualsSigns) {
  auto doc = parse_ini("[cad]\nserver_public_key = ab=cd\n");
  ASSERT_EQ(doc.entries.size(), 1u);
  EXPECT_EQ(doc.entries[0].value, "ab=cd");
}

TEST(IniReader, CommentAfterSectionHeaderIsAllowed) {
  auto doc = parse_ini("[gps] ; receiver\nbaud = 4800\n");
  EXPECT_TRUE(doc.problems.empty());
  EXPECT_EQ(doc.entries.size(), 1u);
}

TEST(IniReader, TextAfterSectionHeaderIsASyntaxError) {
  auto doc = parse_ini("[gps] extra\nbaud = 4800\n");
  ASSERT_EQ(doc.problems.size(), 1u);
  EXPECT_EQ(doc.problems[0].line, 1);
  // Keys under a broken header are not attributed to any section.
  EXPECT_TRUE(doc.entries.empty());
}

TEST(IniReader, BadKeyNamesAreSyntaxErrors) {
  auto doc = parse_ini("[gps]\n = 4800\nba ud = 1\n");
  ASSERT_EQ(doc.problems.size(), 2u);
  EXPECT_EQ(doc.problems[0].line, 2);
  EXPECT_EQ(doc.problems[1].line, 3);
}

TEST(IniReader, NulByteIsReportedNotSwallowed) {
  auto doc = parse_ini(std::string_view("[gps]\nbaud = 48\0" "00\n", 18));
  ASSERT_EQ(doc.problems.size(), 1u);
  EXPECT_EQ(doc.problems[0].code, "config.syntax");
  EXPECT_TRUE(doc.entries.empty());
}

TEST(IniReader, PrintableEscapesAndTruncates) {
  EXPECT_EQ(printable("a\tb\x7f"), "a\\x09b\\x7F");
  EXPECT_EQ(printable("abcdef", 3), "abc...");
}

}  // namespace
}  // namespace mdtc::config::detail
