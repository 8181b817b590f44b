#include <gtest/gtest.h>

#include "text/sentences.hpp"

namespace saerad {
namespace {

using V = std::vector<std::string>;

TEST(Sentences, SplitsAtFullStopsQuestionAndExclamationMarks) {
  EXPECT_EQ(split_sentences("Heart normal.  Lungs clear? Yes! End"),
            (V{"Heart normal.", "Lungs clear?", "Yes!", "End"}));
  EXPECT_EQ(split_sentences(""), V{});
  EXPECT_EQ(split_sentences("   "), V{});
}

TEST(Sentences, KeepsNumbersEnumeratorsAndAbbreviations) {
  EXPECT_EQ(split_sentences("1. Stable cardiomegaly. 2. Clear lungs."),
            (V{"1. Stable cardiomegaly.", "2. Clear lungs."}));
  EXPECT_EQ(split_sentences("Nodule measures 1. 5 cm. Atelectasis vs. scar."),
            (V{"Nodule measures 1. 5 cm.", "Atelectasis vs. scar."}));
  EXPECT_EQ(split_sentences("E.g. this. There is no. Next"), (V{"E.g. this.", "There is no.", "Next"}));
  EXPECT_EQ(split_sentences("See fig. 2 for details... Then"), (V{"See fig. 2 for details...", "Then"}));
  EXPECT_EQ(split_sentences("Measured on 2016. Then"), (V{"Measured on 2016.", "Then"}));
}

TEST(Sentences, BlankLinesEndSentencesOnlyWhenAsked) {
  const std::string text = "No effusion\n\nMild cardiomegaly";
  EXPECT_EQ(split_sentences(text), (V{"No effusion\n\nMild cardiomegaly"}));
  EXPECT_EQ(split_sentences(text, {.blank_line_ends_sentence = true}), (V{"No effusion", "Mild cardiomegaly"}));
}

TEST(Sentences, SpansPointIntoTheText) {
  const std::string text = "  Ab cd.  Ef gh.";
  const auto spans = sentence_spans(text);
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].begin, 2u);
  EXPECT_EQ(spans[1].of(text), "Ef gh.");
}

}  // namespace
}  // namespace saerad
