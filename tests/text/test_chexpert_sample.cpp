// The CheXpert labeler's own end-to-end sample: 4 reports that must label to exactly labeled_reports.csv.
#include <gtest/gtest.h>

#include "core/csv.hpp"
#include "support/test_support.hpp"
#include "text/chexpert.hpp"

namespace saerad {
namespace {

TEST(ChexpertSample, LabelsExactlyToTheLabelersExpectedCsv) {
  CsvReader reports = CsvReader::open(testing::test_data_dir() / "text/sample_reports.csv");
  CsvReader expected = CsvReader::open(testing::test_data_dir() / "text/labeled_reports.csv");
  std::vector<std::string> header, report, row;
  ASSERT_TRUE(expected.next(header));
  ASSERT_EQ(header.size(), 1 + kNumObservations);
  for (size_t i = 0; i < kNumObservations; ++i) EXPECT_EQ(header[1 + i], kObservations[i]);
  ChexpertLabeler labeler;
  int n = 0;
  while (reports.next(report)) {
    ASSERT_TRUE(expected.next(row));
    EXPECT_EQ(row[0], report[0]);
    const ChexpertLabels labels = labeler.label(report[0]);
    for (size_t i = 0; i < kNumObservations; ++i)
      EXPECT_EQ(format_label(labels[i]), row[1 + i]) << "report " << n << ", " << kObservations[i];
    ++n;
  }
  EXPECT_EQ(n, 4);
  EXPECT_FALSE(expected.next(row));
}

}  // namespace
}  // namespace saerad
