#include "flag_vocabulary.h"

#include <gtest/gtest.h>

namespace mdtc::cache {
namespace {

TEST(FlagVocabulary, CodesTheDocsUseAreKnown) {
  for (const char* code : {"MENTAL_HEALTH", "AUTISM", "WEAPONS", "SUD_TREATMENT"})
    EXPECT_NE(find_code(code), nullptr) << code;
}

TEST(FlagVocabulary, ThreatsToTheOfficerAreDanger) {
  for (const char* code : {"VIOLENT_HISTORY", "OFFICER_CAUTION", "ARMED_AND_DANGEROUS", "WEAPONS"}) {
    const VocabularyEntry* e = find_code(code);
    ASSERT_NE(e, nullptr) << code;
    EXPECT_EQ(e->severity, 3) << code;
    EXPECT_EQ(e->kind, "safety") << code;
  }
}

TEST(FlagVocabulary, UnknownCodeShowsAGenericLabelAndTheCode) {
  EXPECT_EQ(display_name("SNAKES_IN_ATTIC", "safety"), "Other safety flag (SNAKES_IN_ATTIC)");
  EXPECT_EQ(display_name("NEW_CARE_CODE", "care"), "Other care flag (NEW_CARE_CODE)");
  EXPECT_EQ(display_name("", "care"), "Other care flag") << "never nothing";
  EXPECT_EQ(display_name("WEAPONS", "safety"), "Weapons reported");
}

TEST(FlagVocabulary, EveryEntryHasANameAndASeverityInRange) {
  for (const char* code : {"MENTAL_HEALTH", "ESCAPE_RISK", "HEART_CONDITION", "MEDICATION_REQUIRED"}) {
    const VocabularyEntry* e = find_code(code);
    ASSERT_NE(e, nullptr) << code;
    EXPECT_FALSE(e->display_name.empty());
    EXPECT_GE(e->severity, 0);
    EXPECT_LE(e->severity, 3);
  }
}

}  // namespace
}  // namespace mdtc::cache
