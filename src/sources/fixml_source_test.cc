#include "sources/fixml_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "sources/test_util.h"

namespace tradeflow::sources {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Sample() {
  std::ifstream in(std::string(TF_SOURCE_DIR) + "/tests/data/sources/cme_trade_capture.fixml");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::map<std::string, std::string> ExtrasOf(const SourceRecord& r) {
  return {r.extras.begin(), r.extras.end()};
}

const std::vector<FieldRef> kFields = {{"TrdCaptRpt@TrdID", ""},
                                       {"TrdCaptRpt@LastQty", ""},
                                       {"TrdCaptRpt@TrdDt", ""},
                                       {"Instrmt@Sym", ""},
                                       {"Instrmt@MMY", ""},
                                       {"Instrmt@Exch", ""},
                                       {"RptSide@Side", ""},
                                       {"RptSide/Pty[R=17]@ID", ""},
                                       {"RptSide/Pty[R=24]@ID", ""},
                                       {"RptSide/TrdRegTS[Typ=1]@TS", ""},
                                       {"Hdr@SID", ""},
                                       {"package_id", ""},
                                       {"leg_index", ""},
                                       {"TrdLeg@Qty", ""},
                                       {"Leg@Sym", ""}};

// The records of `doc` read with `fields` bound, as a file named `name` would give them.
testing::Drained ReadDocument(const std::string& doc, const std::string& name,
                              const std::vector<FieldRef>& fields) {
  FixmlSource source(OpenStringStream(doc), name);
  Status bound = source.Bind(fields);
  EXPECT_TRUE(bound.ok()) << bound.ToString();
  return testing::DrainSource(&source);
}

void CheckSample(RecordSource* source) {
  ASSERT_TRUE(source->Bind(kFields).ok());
  auto d = testing::DrainSource(source);
  ASSERT_TRUE(d.fatal.ok()) << d.fatal.ToString();
  ASSERT_TRUE(d.errors.empty()) << d.errors[0];
  ASSERT_EQ(d.good.size(), 4u);

  const SourceRecord& ng = d.good[0];
  EXPECT_EQ(ng.values, (std::vector<std::string>{
                           "77001", "4", "2014-11-13", "NGZ4", "201412", "NYMEX", "2", "SHELLTRD",
                           "BOOK-NG-1", "2014-11-13T10:05:59-06:00", "CME", "77001", "", "", ""}));
  EXPECT_EQ(ng.location, "TrdCaptRpt 1");
  EXPECT_EQ(ng.line, 5);
  EXPECT_THAT(ng.raw, StartsWith("<TrdCaptRpt RptID=\"1401\""));
  EXPECT_THAT(ng.raw, ::testing::EndsWith("</TrdCaptRpt>"));
  auto extras = ExtrasOf(ng);
  EXPECT_EQ(extras["FIXML@v"], "5.0 SP2");
  EXPECT_EQ(extras["Hdr@Snt"], "2014-11-13T10:06:01-06:00");
  EXPECT_EQ(extras["TrdCaptRpt@RptTyp"], "101");  // exchange-specific code, as it is
  EXPECT_EQ(extras["RptSide/Pty[R=24]/Sub[Typ=26]@ID"], "26");
  EXPECT_EQ(extras["RptSide/TrdRegTS[Typ=7]@TS"], "2014-11-13T10:06:00-06:00");
  EXPECT_EQ(extras["RptSide/Pty[R=21]@ID"], "CME");
  EXPECT_EQ(extras.count("FIXML@xmlns"), 0u);
  EXPECT_EQ(extras.count("TrdCaptRpt@TrdID"), 0u);  // bound, so not an extra
  EXPECT_EQ(extras.count("leg_index"), 0u);
  EXPECT_EQ(extras.count("TrdCaptRptAck@RptID"), 0u);

  // The multi-leg report: one record per leg, report fields repeated, tied by package_id.
  for (int k = 0; k < 2; ++k) {
    const SourceRecord& leg = d.good[1 + k];
    EXPECT_EQ(leg.location, "TrdCaptRpt 2 leg " + std::to_string(k + 1));
    EXPECT_EQ(leg.values[0], "77002");
    EXPECT_EQ(leg.values[3], "NG-LO");
    EXPECT_EQ(leg.values[8], "BOOK-SPREAD");
    EXPECT_EQ(leg.values[10], "CME");  // the batch header
    EXPECT_EQ(leg.values[11], "PKG-9");
    EXPECT_EQ(leg.values[12], std::to_string(k + 1));
    EXPECT_EQ(leg.line, 20);
  }
  EXPECT_EQ(d.good[1].values[13], "10");
  EXPECT_EQ(d.good[1].values[14], "NGF5");
  EXPECT_EQ(d.good[2].values[13], "5");
  EXPECT_EQ(d.good[2].values[14], "LOF5 P4000");
  EXPECT_EQ(ExtrasOf(d.good[1]).count("Leg@Strk"), 0u);  // the other leg's fields stay there
  EXPECT_EQ(ExtrasOf(d.good[2])["Leg@Strk"], "40.0");
  EXPECT_EQ(ExtrasOf(d.good[2])["TrdLeg@RefID"], "L2");

  // Two sides, the report's own header, entities and text content.
  const SourceRecord& ice = d.good[3];
  EXPECT_EQ(ice.values[10], "ICE");
  EXPECT_EQ(ice.values[6], "1");
  EXPECT_EQ(ice.values[8], "BOOK&OIL");
  EXPECT_EQ(ice.values[11], "88003");
  auto ice_extras = ExtrasOf(ice);
  EXPECT_EQ(ice_extras["RptSide[2]@Side"], "2");
  EXPECT_EQ(ice_extras["RptSide[2]/Pty[R=24]@ID"], "CPTY-A");
  EXPECT_EQ(ice_extras["RptSide/Pty[R=12]@ID"], "TRADER1");
  EXPECT_EQ(ice_extras["Txt"], "voice trade <confirmed>");
  EXPECT_EQ(ice_extras.count("Hdr@SSub"), 1u);  // batch header fields the report lacks
  EXPECT_EQ(ice.location, "TrdCaptRpt 3");
}

TEST(FixmlSourceTest, CmeSampleInAnyChunking) {
  for (size_t chunk : {1, 7, 100, 64 * 1024}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    FixmlSource source(OpenStringStream(Sample()), "cme.fixml", false, chunk);
    CheckSample(&source);
  }
}

// A report's line counts LF, CR and CRLF line ends as XML does, whatever the chunking, also after
// long runs of other messages between reports.
TEST(FixmlSourceTest, LinesCountEveryKindOfLineEnd) {
  const std::vector<std::string> ends = {"\n", "\r\n", "\r", "\r\n\r", "\n\r\n\n"};
  for (const std::string& end : ends) {
    std::string doc = "<FIXML>" + end + "<Batch>" + end;
    for (int i = 1; i <= 300; ++i) {
      std::string report = "<TrdCaptRpt TrdID=\"" + std::to_string(i) + "\">" + end +
                           "<Instrmt Sym=\"" + std::string(i % 23, 'X') + "\"/>" + end +
                           "</TrdCaptRpt>" + end;
      doc += report;
      if (i % 50 == 0) {  // other messages, long enough for what is kept to start among them
        for (int k = 0; k < 60; ++k)
          doc += "<TrdCaptRptAck RptID=\"" + std::to_string(k) + "\"/>" + end;
      }
    }
    doc += "</Batch></FIXML>" + end;
    // Expected lines, counted here the simple way: a CR, or an LF not right after a CR.
    std::vector<int64_t> starts;
    int64_t current = 1;
    for (size_t i = 0; i < doc.size(); ++i) {
      if (doc.compare(i, 12, "<TrdCaptRpt ") == 0) starts.push_back(current);
      if (doc[i] == '\r' || (doc[i] == '\n' && (i == 0 || doc[i - 1] != '\r'))) ++current;
    }
    for (size_t chunk : {1, 2, 3, 5, 64, 4096}) {
      SCOPED_TRACE("line end " + std::to_string(&end - ends.data()) + ", chunk " +
                   std::to_string(chunk));
      FixmlSource source(OpenStringStream(doc), "lines.fixml", false, chunk);
      ASSERT_TRUE(source.Bind({{"TrdCaptRpt@TrdID", ""}}).ok());
      auto d = testing::DrainSource(&source);
      ASSERT_EQ(d.good.size(), starts.size());
      for (size_t r = 0; r < starts.size(); ++r) ASSERT_EQ(d.good[r].line, starts[r]) << r;
    }
  }
}

// Expat reads UTF-16 by its byte order mark; lines are counted in characters, not bytes.
TEST(FixmlSourceTest, Utf16DocumentLines) {
  std::string text =
      "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<FIXML>\r\n<Batch>\r\n"
      "<TrdCaptRpt TrdID=\"1\"/>\r\n\r\n<TrdCaptRpt TrdID=\"2\"\r\n LastQty=\"5\"/>\r\n"
      "</Batch></FIXML>\r\n";
  std::string utf16 = "\xFF\xFE";  // little-endian BOM; the text is ASCII
  for (char c : text) {
    utf16 += c;
    utf16 += '\0';
  }
  FixmlSource source(OpenStringStream(utf16), "utf16.fixml", false, 7);
  ASSERT_TRUE(source.Bind({{"TrdCaptRpt@TrdID", ""}, {"TrdCaptRpt@LastQty", ""}}).ok());
  auto d = testing::DrainSource(&source);
  ASSERT_TRUE(d.errors.empty()) << d.errors[0];
  ASSERT_EQ(d.good.size(), 2u);
  EXPECT_EQ(d.good[0].line, 4);
  EXPECT_EQ(d.good[1].line, 6);
  EXPECT_EQ(d.good[1].values, (std::vector<std::string>{"2", "5"}));
}

// A report whose start tag is longer than the input kept between reports, split across chunks:
// its line and its raw text are whole.
TEST(FixmlSourceTest, LongReportStartTag) {
  std::string tag = "<TrdCaptRpt TrdID=\"7\"";
  for (int i = 0; i < 60; ++i)
    tag += "\n  A" + std::to_string(i) + "=\"" + std::string(30, 'v') + "\"";
  tag += ">";
  std::string report = tag + "<Instrmt Sym=\"NG\"/></TrdCaptRpt>";
  std::string doc = "<FIXML>\n<Batch>\n<Hdr SID=\"CME\"/>\n" + report + "\n</Batch></FIXML>\n";
  for (size_t chunk : {64, 1000, 4096}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    FixmlSource source(OpenStringStream(doc), "long.fixml", false, chunk);
    ASSERT_TRUE(source.Bind({{"TrdCaptRpt@TrdID", ""}, {"Instrmt@Sym", ""}}).ok());
    auto d = testing::DrainSource(&source);
    ASSERT_EQ(d.good.size(), 1u);
    EXPECT_EQ(d.good[0].values, (std::vector<std::string>{"7", "NG"}));
    EXPECT_EQ(d.good[0].line, 4);
    EXPECT_EQ(d.good[0].raw, report);
  }
}

// A bound path no report has (misspelt, most likely) is named; one that some report has, even
// empty, is not.
TEST(FixmlSourceTest, PathsNoReportHasAreNamed) {
  const std::string doc =
      "<FIXML><Batch><Hdr SID=\"CME\"/>\n<TrdCaptRpt TrdID=\"1\" Txt=\"\"><Instrmt Sym=\"A\"/>"
      "</TrdCaptRpt>\n<TrdCaptRpt TrdID=\"2\"/>\n</Batch></FIXML>\n";
  FixmlSource source(OpenStringStream(doc), "p.fixml");
  ASSERT_TRUE(source
                  .Bind({{"TrdCaptRpt@TrdID", ""},
                         {"TrdCaptRpt@Txt", ""},
                         {"Instrmt@Sym", ""},
                         {"Hdr@SID", ""},
                         {"Instrmt@sym", ""},
                         {"RptSide/Pty[R=12]@ID", ""}})
                  .ok());
  auto d = testing::DrainSource(&source);
  ASSERT_EQ(d.good.size(), 2u);
  EXPECT_EQ(source.FieldsNeverPresent(),
            (std::vector<std::string>{"Instrmt@sym", "RptSide/Pty[R=12]@ID"}));
}

// Binding other fields between two records, while a report is half parsed, binds the rest.
TEST(FixmlSourceTest, BindAgainBetweenRecords) {
  std::string doc = "<FIXML><Batch>\n";
  for (int i = 1; i <= 50; ++i) {
    doc += "<TrdCaptRpt TrdID=\"" + std::to_string(i) + "\"><Instrmt Sym=\"S" + std::to_string(i) +
           "\"/></TrdCaptRpt>\n";
  }
  doc += "</Batch></FIXML>\n";
  FixmlSource source(OpenStringStream(doc), "rebind.fixml", false, 64);
  ASSERT_TRUE(source.Bind({{"TrdCaptRpt@TrdID", ""}}).ok());
  SourceRecord rec;
  ASSERT_TRUE(*source.Next(&rec));
  EXPECT_EQ(rec.values, (std::vector<std::string>{"1"}));
  ASSERT_TRUE(source.Bind({{"Instrmt@Sym", ""}, {"TrdCaptRpt@TrdID", ""}}).ok());
  auto d = testing::DrainSource(&source);
  ASSERT_FALSE(d.good.empty());
  EXPECT_EQ(d.good.back().values, (std::vector<std::string>{"S50", "50"}));
  EXPECT_TRUE(d.good.back().extras.empty());
}

TEST(FixmlSourceTest, GzippedAndZstdSampleFiles) {
  for (const auto& [name, data] :
       {std::pair{std::string("cme.fixml.gz"), testing::Gzip(Sample())},
        std::pair{std::string("cme.fixml.zst"), testing::Zstd(Sample())}}) {
    SCOPED_TRACE(name);
    auto source = FixmlSource::Open(testing::WriteTempFile(name, data), {});
    ASSERT_TRUE(source.ok());
    CheckSample(source->get());
    EXPECT_EQ((*source)->bytes_read(), static_cast<int64_t>(data.size()));
  }
}

TEST(FixmlSourceTest, RootReportEmptyElementAndUnknownElements) {
  FixmlSource one(OpenStringStream("<TrdCaptRpt TrdID=\"1\" LastQty=\"5\"/>"), "a.xml");
  ASSERT_TRUE(one.Bind({{"TrdCaptRpt@TrdID", ""}}).ok());
  auto d = testing::DrainSource(&one);
  ASSERT_EQ(d.good.size(), 1u);
  EXPECT_EQ(d.good[0].values[0], "1");
  EXPECT_EQ(d.good[0].raw, "<TrdCaptRpt TrdID=\"1\" LastQty=\"5\"/>");
  EXPECT_EQ(d.good[0].location, "TrdCaptRpt 1");

  FixmlSource unknown(OpenStringStream("<fixml:FIXML xmlns:fixml=\"urn:x\"><fixml:TrdCaptRpt "
                                       "TrdID=\"2\"><Vendor X=\"y\"><Note>hi</Note></Vendor>"
                                       "</fixml:TrdCaptRpt></fixml:FIXML>"),
                      "b.xml");
  ASSERT_TRUE(unknown.Bind({}).ok());
  auto u = testing::DrainSource(&unknown);
  ASSERT_EQ(u.good.size(), 1u);
  auto extras = ExtrasOf(u.good[0]);
  EXPECT_EQ(extras["TrdCaptRpt@TrdID"], "2");
  EXPECT_EQ(extras["Vendor@X"], "y");
  EXPECT_EQ(extras["Vendor/Note"], "hi");
  EXPECT_EQ(extras.count("FIXML@xmlns:fixml"), 0u);
}

// A well-formedness error in the last report: the reports before it come out, it is one
// malformed record, and the source ends.
TEST(FixmlSourceTest, MalformedXmlInTheLastReportIsOneMalformedRecord) {
  std::string doc =
      "<FIXML><Batch>\n"
      "<TrdCaptRpt TrdID=\"1\"><Instrmt Sym=\"A\"/></TrdCaptRpt>\n"
      "<TrdCaptRpt TrdID=\"2\">\n"
      "  <Instrmt Sym=\"B\"></Instrmnt>\n"
      "</TrdCaptRpt>\n"
      "<TrdCaptRptAck ID=\"9\"/>\n"  // not a report
      "</Batch></FIXML>\n";
  FixmlSource source(OpenStringStream(doc), "bad.fixml");
  ASSERT_TRUE(source.Bind({{"TrdCaptRpt@TrdID", ""}}).ok());
  auto d = testing::DrainSource(&source);
  ASSERT_TRUE(d.fatal.ok());
  ASSERT_EQ(d.good.size(), 1u);
  ASSERT_EQ(d.bad.size(), 1u);
  EXPECT_EQ(d.good[0].values[0], "1");
  EXPECT_EQ(d.errors[0],
            "bad.fixml:4:22: malformed XML in TrdCaptRpt 2: mismatched tag; an XML document "
            "cannot be read past such an error (no report follows it)");
  EXPECT_EQ(d.bad[0].location, "TrdCaptRpt 2");
  EXPECT_EQ(d.bad[0].line, 3);
  EXPECT_EQ(d.bad[0].raw, "<TrdCaptRpt TrdID=\"2\">\n  <Instrmt Sym=\"B\"></Instrmnt>");
  SourceRecord rec;
  EXPECT_FALSE(*source.Next(&rec));
}

// Reports after the error could not be read: quarantining the broken one would lose them
// silently, so the file fails, counting them (with or without a namespace prefix, across reads).
TEST(FixmlSourceTest, MalformedXmlBeforeTheLastReportFailsTheFile) {
  std::string doc =
      "<f:FIXML xmlns:f=\"x\"><f:Batch>\n"
      "<f:TrdCaptRpt TrdID=\"1\"><f:Instrmt Sym=\"A\"/></f:TrdCaptRpt>\n"
      "<f:TrdCaptRpt TrdID=\"2\">\n"
      "  <f:Instrmt Sym=\"B\"></f:Instrmnt>\n"
      "</f:TrdCaptRpt>\n";
  for (int i = 3; i < 40; ++i) {
    doc += "<f:TrdCaptRpt TrdID=\"" + std::to_string(i) + "\"/>\n<TrdCaptRpt\tTrdID=\"x\"/>\n";
  }
  doc += "<\xC3\xA9:TrdCaptRpt xmlns:\xC3\xA9=\"y\" TrdID=\"z\"/>\n";  // a prefix "é"
  doc += "</f:Batch></f:FIXML>\n";
  for (size_t chunk : {size_t{16}, size_t{64}, size_t{1} << 16}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    FixmlSource source(OpenStringStream(doc), "bad.fixml", false, chunk);
    ASSERT_TRUE(source.Bind({{"TrdCaptRpt@TrdID", ""}}).ok());
    auto d = testing::DrainSource(&source);
    ASSERT_FALSE(d.fatal.ok());
    EXPECT_EQ(d.fatal.code(), StatusCode::kIOError);
    EXPECT_EQ(d.fatal.message(),
              "bad.fixml:4:24: malformed XML in TrdCaptRpt 2: mismatched tag; an XML document "
              "cannot be read past such an error, and 75 more reports follow it: the file cannot "
              "be read to its end");
    EXPECT_EQ(d.good.size(), 1u);
    EXPECT_TRUE(d.bad.empty());
  }
}

// A report left open (<TrdCaptRpt ...> for <TrdCaptRpt .../>) takes the reports after it in
// as its children, and the error only comes at the end: those reports are lost too.
TEST(FixmlSourceTest, AReportLeftOpenFailsTheFileForTheReportsInsideIt) {
  std::string doc =
      "<FIXML><Batch>\n"
      "<TrdCaptRpt TrdID=\"1\"/>\n"
      "<TrdCaptRpt TrdID=\"2\">\n"
      "<TrdCaptRpt TrdID=\"3\"/>\n"
      "<TrdCaptRpt TrdID=\"4\"><Instrmt Sym=\"D\"/></TrdCaptRpt>\n"
      "</Batch></FIXML>\n";
  auto d = ReadDocument(doc, "open.fixml", {{"TrdCaptRpt@TrdID", ""}});
  ASSERT_FALSE(d.fatal.ok());
  EXPECT_EQ(d.fatal.code(), StatusCode::kIOError);
  EXPECT_NE(d.fatal.message().find("and 2 more reports follow it"), std::string::npos)
      << d.fatal.message();
  EXPECT_EQ(d.good.size(), 1u);
}

// A well-formed document in which a report holds another: neither is read as a trade (their
// fields would mix), and each is a malformed record with the outer one's text.
TEST(FixmlSourceTest, AReportInsideAnotherIsAMalformedRecordEach) {
  const std::string outer =
      "<TrdCaptRpt TrdID=\"1\"><Instrmt Sym=\"A\"/>\n"
      "<TrdCaptRpt TrdID=\"2\"><Instrmt Sym=\"B\"/></TrdCaptRpt>\n"
      "</TrdCaptRpt>";
  std::string doc = "<FIXML><Batch>\n" + outer + "\n<TrdCaptRpt TrdID=\"3\"/>\n</Batch></FIXML>\n";
  auto d = ReadDocument(doc, "nested.fixml", {{"TrdCaptRpt@TrdID", ""}});
  ASSERT_TRUE(d.fatal.ok()) << d.fatal.message();
  ASSERT_EQ(d.bad.size(), 2u);
  EXPECT_EQ(d.bad[0].location, "TrdCaptRpt 1");
  EXPECT_EQ(d.bad[1].location, "TrdCaptRpt 1 (report 2 inside it)");
  for (const auto& bad : d.bad) {
    EXPECT_EQ(bad.raw, outer);
    EXPECT_EQ(bad.line, 2);
  }
  EXPECT_THAT(d.errors[0],
              StartsWith("nested.fixml:2: TrdCaptRpt 1 holds 1 more TrdCaptRpt start tag(s) "
                         "inside it: a report cannot hold another"));
  ASSERT_EQ(d.good.size(), 1u);
  EXPECT_EQ(d.good[0].values[0], "3");
  EXPECT_EQ(d.good[0].location, "TrdCaptRpt 2");
}

// A file cut inside the start tag of its last report: that report is the broken one, not one
// that follows the error, so the reports before it come out.
TEST(FixmlSourceTest, ACutInTheLastReportsStartTagIsOneMalformedRecord) {
  const std::string doc =
      "<FIXML><Batch>\n<TrdCaptRpt TrdID=\"1\"/>\n<TrdCaptRpt TrdID=\"2\"/>\n"
      "<TrdCaptRpt TrdID=\"3\" LastQty=";
  for (size_t chunk : {5, 4096}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    FixmlSource source(OpenStringStream(doc), "cut.fixml", false, chunk);
    ASSERT_TRUE(source.Bind({{"TrdCaptRpt@TrdID", ""}}).ok());
    auto d = testing::DrainSource(&source);
    ASSERT_TRUE(d.fatal.ok()) << d.fatal.message();
    EXPECT_EQ(d.good.size(), 2u);
    ASSERT_EQ(d.errors.size(), 1u);
    EXPECT_THAT(d.errors[0], HasSubstr("cut.fixml:4:"));
    EXPECT_THAT(d.errors[0], HasSubstr("(no report follows it)"));
  }
}

TEST(FixmlSourceTest, CompressedDataUnderAPlainNameIsNamed) {
  for (const auto& [data, kind] :
       {std::pair{testing::Gzip(Sample()), "gzip"}, std::pair{testing::Zstd(Sample()), "zstd"}}) {
    FixmlSource source(OpenStringStream(data), "trades.fixml");
    ASSERT_TRUE(source.Bind({}).ok());
    auto d = testing::DrainSource(&source);
    EXPECT_EQ(d.fatal.code(), StatusCode::kIOError);
    EXPECT_THAT(d.fatal.message(), HasSubstr(std::string("trades.fixml: the file is ") + kind +
                                             "-compressed, but its name does not end in"));
    EXPECT_TRUE(d.good.empty() && d.bad.empty());
  }
}

TEST(FixmlSourceTest, TruncatedDocumentIsOneMalformedRecord) {
  std::string doc = Sample();
  std::string cut = doc.substr(0, doc.find("<TrdLeg Qty=\"5\""));
  FixmlSource source(OpenStringStream(cut), "cut.fixml", false, 128);
  ASSERT_TRUE(source.Bind({}).ok());
  auto d = testing::DrainSource(&source);
  ASSERT_EQ(d.good.size(), 1u);  // the multi-leg report is lost as a whole, not half of it
  ASSERT_EQ(d.bad.size(), 1u);
  EXPECT_THAT(d.errors[0], HasSubstr("cut.fixml:"));
  EXPECT_THAT(d.errors[0], HasSubstr("malformed XML in TrdCaptRpt 2: "));
  EXPECT_EQ(d.bad[0].line, 20);
  EXPECT_THAT(d.bad[0].raw, StartsWith("<TrdCaptRpt RptID=\"1402\""));
}

TEST(FixmlSourceTest, TruncatedGzipIsFatal) {
  std::string gz = testing::Gzip(Sample());
  auto source =
      FixmlSource::Open(testing::WriteTempFile("cut.fixml.gz", gz.substr(0, gz.size() - 20)), {});
  ASSERT_TRUE(source.ok());
  ASSERT_TRUE((*source)->Bind({}).ok());
  auto d = testing::DrainSource(source->get());
  EXPECT_EQ(d.fatal.code(), StatusCode::kIOError);
  EXPECT_THAT(d.fatal.message(), HasSubstr("truncated gzip data"));
}

TEST(FixmlSourceTest, EncodingsLatin1BytesInUtf8AndDeclaredOrConfiguredLatin1) {
  std::string body =
      "<TrdCaptRpt TrdID=\"1\"><RptSide><Pty ID=\"Soci\xE9t\xE9\" R=\"17\"/>"
      "</RptSide></TrdCaptRpt>";
  {
    FixmlSource source(OpenStringStream(body), "l.fixml");
    ASSERT_TRUE(source.Bind({}).ok());
    auto d = testing::DrainSource(&source);
    EXPECT_TRUE(d.good.empty());
    ASSERT_EQ(d.bad.size(), 1u);
    EXPECT_THAT(d.errors[0], HasSubstr("not well-formed (invalid token) (invalid UTF-8; is the "
                                       "file Windows-1252 or Latin-1? set encoding: "
                                       "windows-1252)"));
  }
  const std::string want = "Soci\xC3\xA9t\xC3\xA9";
  {
    std::string path = testing::WriteTempFile("l1.fixml", body);
    auto source = FixmlSource::Open(path, {Encoding::kLatin1, Compression::kAuto});
    ASSERT_TRUE(source.ok());
    ASSERT_TRUE((*source)->Bind({{"RptSide/Pty[R=17]@ID", ""}}).ok());
    auto d = testing::DrainSource(source->get());
    ASSERT_EQ(d.good.size(), 1u);
    EXPECT_EQ(d.good[0].values[0], want);
  }
  {
    // Byte offsets are the file's: each Latin-1 byte is one there, though two in UTF-8.
    const std::string declaration = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n";
    const std::string doc = declaration + "<FIXML>" + body + "\n" + body + "</FIXML>";
    FixmlSource source(OpenStringStream(doc), "d.fixml", false, 16);
    ASSERT_TRUE(source.Bind({{"RptSide/Pty[R=17]@ID", ""}}).ok());
    auto d = testing::DrainSource(&source);
    ASSERT_EQ(d.good.size(), 2u);
    EXPECT_EQ(d.good[0].values[0], want);
    EXPECT_EQ(d.good[0].byte_offset, static_cast<int64_t>(doc.find("<TrdCaptRpt")));
    EXPECT_EQ(d.good[1].byte_offset, static_cast<int64_t>(doc.rfind("<TrdCaptRpt")));
  }
  {
    // An error on the line of reports read before it: its offset is its line's, counted back.
    const std::string declaration = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n";
    const std::string doc =
        declaration + "<FIXML>" + body + body + "<Bad a=\"1\" a=\"2\"/></FIXML>\n";
    for (size_t chunk : {size_t{16}, size_t{64} << 10}) {
      FixmlSource source(OpenStringStream(doc), "e.fixml", false, chunk);
      ASSERT_TRUE(source.Bind({{"RptSide/Pty[R=17]@ID", ""}}).ok());
      auto d = testing::DrainSource(&source);
      ASSERT_EQ(d.good.size(), 2u);
      ASSERT_EQ(d.bad.size(), 1u) << d.fatal.ToString();
      // The file at the offset holds what the raw text starts with (its first bytes are ASCII).
      const std::string& raw = d.bad[0].raw;
      ASSERT_GE(raw.size(), 20u);
      EXPECT_EQ(doc.substr(static_cast<size_t>(d.bad[0].byte_offset), 20), raw.substr(0, 20))
          << d.bad[0].byte_offset;
    }
  }
}

TEST(FixmlSourceTest, GarbageBeforeAnyReportIsAnErrorOnItsLine) {
  FixmlSource source(OpenStringStream("<FIXML>\n<<oops\n</FIXML>"), "g.fixml");
  ASSERT_TRUE(source.Bind({}).ok());
  auto d = testing::DrainSource(&source);
  ASSERT_EQ(d.bad.size(), 1u);
  EXPECT_EQ(d.bad[0].location, "line 2");
  EXPECT_EQ(d.bad[0].raw, "<<oops");
  EXPECT_THAT(d.errors[0], StartsWith("g.fixml:2:2: malformed XML: not well-formed"));
}

// An empty file is a failed export, not a malformed record; a declared encoding the parser does
// not read says how to read it.
TEST(FixmlSourceTest, AnEmptyFileIsAnIOErrorAndAnUnknownEncodingIsNamed) {
  for (const char* text : {"", " \n\n"}) {
    FixmlSource source(OpenStringStream(text), "e.fixml");
    ASSERT_TRUE(source.Bind({}).ok());
    auto d = testing::DrainSource(&source);
    EXPECT_EQ(d.fatal.code(), StatusCode::kIOError);
    EXPECT_THAT(d.fatal.message(), HasSubstr("e.fixml: empty file, expected a FIXML document"));
  }
  FixmlSource w(OpenStringStream("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n<FIXML/>"),
                "w.fixml");
  ASSERT_TRUE(w.Bind({}).ok());
  auto d = testing::DrainSource(&w);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_THAT(d.errors[0], HasSubstr("names an encoding tradeflow does not read (it reads UTF-8, "
                                     "UTF-16, US-ASCII, ISO-8859-1 and windows-1252)"));
}

// A document in UTF-16 (by its byte order mark, or without one) or declared ISO-8859-1 or
// windows-1252 is read as UTF-8 text: values, and the raw text kept for quarantine.
TEST(FixmlSourceTest, DocumentsInOtherEncodingsAreReadAsUtf8) {
  const std::string report = "<TrdCaptRpt TrdID=\"7\" Txt=\"Z\xC3\xBCrich \xE2\x82\xAC\"/>";
  auto doc = [&](const std::string& encoding) {
    return "<?xml version=\"1.0\" encoding=\"" + encoding + "\"?>\n<FIXML><Batch>\n" + report +
           "\n</Batch></FIXML>\n";
  };
  auto utf16 = [](const std::string& ascii_utf8, bool big_endian) {
    std::string out;  // the text's characters are below U+0800: one UTF-16 unit each
    for (size_t i = 0; i < ascii_utf8.size();) {
      auto b = static_cast<unsigned char>(ascii_utf8[i]);
      char32_t cp = b;
      if (b >= 0xE0) {
        cp = ((b & 0x0F) << 12) | ((ascii_utf8[i + 1] & 0x3F) << 6) | (ascii_utf8[i + 2] & 0x3F);
        i += 3;
      } else if (b >= 0xC0) {
        cp = ((b & 0x1F) << 6) | (ascii_utf8[i + 1] & 0x3F);
        i += 2;
      } else {
        ++i;
      }
      const char high = static_cast<char>(cp >> 8), low = static_cast<char>(cp & 0xFF);
      out += big_endian ? high : low;
      out += big_endian ? low : high;
    }
    return out;
  };
  std::string latin1 = doc("ISO-8859-1");
  latin1.replace(latin1.find("\xC3\xBC"), 2, "\xFC");
  latin1.replace(latin1.find(" \xE2\x82\xAC"), 4, " \xA4");  // ¤, not € in Latin-1
  std::string cp1252 = doc("windows-1252");
  cp1252.replace(cp1252.find("\xC3\xBC"), 2, "\xFC");
  cp1252.replace(cp1252.find("\xE2\x82\xAC"), 3, "\x80");
  const struct {
    std::string name, bytes, text;
  } cases[] = {
      {"UTF-16LE with BOM", "\xFF\xFE" + utf16(doc("UTF-16"), false), "Z\xC3\xBCrich \xE2\x82\xAC"},
      {"UTF-16BE with BOM", "\xFE\xFF" + utf16(doc("UTF-16"), true), "Z\xC3\xBCrich \xE2\x82\xAC"},
      {"UTF-16LE without BOM", utf16(doc("UTF-16"), false), "Z\xC3\xBCrich \xE2\x82\xAC"},
      {"ISO-8859-1", latin1, "Z\xC3\xBCrich \xC2\xA4"},
      {"windows-1252", cp1252, "Z\xC3\xBCrich \xE2\x82\xAC"},
  };
  for (const auto& c : cases) {
    for (size_t chunk : {3, 4096}) {
      SCOPED_TRACE(c.name + ", chunk " + std::to_string(chunk));
      FixmlSource source(OpenStringStream(c.bytes), "e.fixml", false, chunk);
      ASSERT_TRUE(source.Bind({{"TrdCaptRpt@TrdID", ""}, {"TrdCaptRpt@Txt", ""}}).ok());
      auto d = testing::DrainSource(&source);
      ASSERT_TRUE(d.errors.empty()) << d.errors[0];
      ASSERT_TRUE(d.fatal.ok()) << d.fatal.message();
      ASSERT_EQ(d.good.size(), 1u);
      EXPECT_EQ(d.good[0].values, (std::vector<std::string>{"7", c.text}));
      EXPECT_EQ(d.good[0].raw, "<TrdCaptRpt TrdID=\"7\" Txt=\"" + c.text + "\"/>");
      EXPECT_EQ(d.good[0].line, 3);
    }
  }
}

// A UTF-16 document broken in its first report stops the read for the reports after it, as a
// UTF-8 one does: none is lost without an error.
TEST(FixmlSourceTest, AUtf16DocumentBrokenBeforeItsLastReportIsTheFilesError) {
  std::string text = "<FIXML><Batch>\n<TrdCaptRpt TrdID=\"1\"><Hdr SID=\"X\"></TrdCaptRpt>\n";
  for (int i = 2; i <= 5; ++i) text += "<TrdCaptRpt TrdID=\"" + std::to_string(i) + "\"/>\n";
  text += "</Batch></FIXML>\n";
  std::string utf16 = "\xFF\xFE";
  for (char c : text) {
    utf16 += c;
    utf16 += '\0';
  }
  FixmlSource source(OpenStringStream(utf16), "b.fixml", false, 16);
  ASSERT_TRUE(source.Bind({{"TrdCaptRpt@TrdID", ""}}).ok());
  auto d = testing::DrainSource(&source);
  EXPECT_TRUE(d.good.empty());
  std::string all = d.fatal.message();
  for (const auto& e : d.errors) all += e;
  EXPECT_THAT(all, HasSubstr("mismatched tag"));
  EXPECT_THAT(all, HasSubstr("4 more reports follow it"));
}

TEST(FixmlSourceTest, ManyReportsStreamThrough) {
  std::string doc = "<FIXML><Batch><Hdr SID=\"CME\"/>\n";
  for (int i = 1; i <= 5000; ++i) {
    doc += "<TrdCaptRpt TrdID=\"" + std::to_string(i) +
           "\" LastQty=\"1\"><Instrmt Sym=\"NGZ4\"/></TrdCaptRpt>\n";
  }
  doc += "</Batch></FIXML>\n";
  FixmlSource source(OpenStringStream(doc), "many.fixml", false, 4096);
  ASSERT_TRUE(source.Bind({{"TrdCaptRpt@TrdID", ""}, {"Hdr@SID", ""}}).ok());
  auto d = testing::DrainSource(&source);
  ASSERT_EQ(d.good.size(), 5000u);
  EXPECT_EQ(d.good.back().values, (std::vector<std::string>{"5000", "CME"}));
  EXPECT_EQ(d.good.back().location, "TrdCaptRpt 5000");
  EXPECT_EQ(d.good.back().line, 5001);
}

// Reports that keep naming new elements: the paths learnt are dropped between reports once there
// are more than 10,000, and the reports after that read as before.
TEST(FixmlSourceTest, ManyDistinctElementNames) {
  std::string doc = "<FIXML><Batch>\n";
  for (int r = 1; r <= 4; ++r) {
    doc += "<TrdCaptRpt TrdID=\"" + std::to_string(r) + "\"><Instrmt Sym=\"S" + std::to_string(r) +
           "\"/>";
    for (int e = 0; e < 3000; ++e) doc += "<X" + std::to_string(r * 10000 + e) + " a=\"1\"/>";
    doc += "<RptSide Side=\"" + std::to_string(r) + "\"/></TrdCaptRpt>\n";
  }
  doc += "</Batch></FIXML>\n";
  FixmlSource source(OpenStringStream(doc), "names.fixml", false, 4096);
  ASSERT_TRUE(
      source.Bind({{"TrdCaptRpt@TrdID", ""}, {"Instrmt@Sym", ""}, {"RptSide@Side", ""}}).ok());
  auto d = testing::DrainSource(&source);
  ASSERT_EQ(d.good.size(), 4u);
  for (int r = 1; r <= 4; ++r) {
    const SourceRecord& rec = d.good[r - 1];
    EXPECT_EQ(rec.values, (std::vector<std::string>{std::to_string(r), "S" + std::to_string(r),
                                                    std::to_string(r)}));
    ASSERT_EQ(rec.extras.size(), 3000u);
    EXPECT_EQ(rec.extras.front().first, "X" + std::to_string(r * 10000) + "@a");
    EXPECT_EQ(rec.extras.back().first, "X" + std::to_string(r * 10000 + 2999) + "@a");
  }
}

// Past a few distinct children, an element's children are found through an index rather than a
// scan: the numbering of repeated elements ([2]) and the paths stay what the scan gave.
TEST(FixmlSourceTest, ElementsWithManyChildrenNumberTheirRepeats) {
  std::string doc = "<FIXML><TrdCaptRpt TrdID=\"1\">";
  for (int round = 0; round < 2; ++round) {
    for (int e = 0; e < 40; ++e)
      doc += "<V" + std::to_string(e) + " a=\"" + std::to_string(round) + "\"/>";
  }
  doc += "<RptSide Side=\"1\"/></TrdCaptRpt></FIXML>\n";
  auto d = ReadDocument(doc, "many.fixml", {{"V3@a", ""}, {"V39[2]@a", ""}, {"RptSide@Side", ""}});
  ASSERT_EQ(d.good.size(), 1u);
  EXPECT_EQ(d.good[0].values, (std::vector<std::string>{"0", "1", "1"}));
  EXPECT_EQ(d.good[0].extras.size(), 79u);  // 82 attributes, 3 of them bound
  EXPECT_EQ(ExtrasOf(d.good[0])["V3[2]@a"], "1");
}

// A leg's record keeps the whole report as its raw text, unless a report of very many legs
// would then take memory (and quarantine rows) as its size times its legs: each leg then keeps
// the report without the other legs, which a comment says.
TEST(FixmlSourceTest, TheLegsOfAHugeReportEachKeepTheReportWithoutTheOthers) {
  auto report = [](int legs) {
    std::string doc = "<FIXML><TrdCaptRpt TrdID=\"9\" MLegRptTyp=\"3\"><Instrmt Sym=\"X\"/>\n";
    for (int k = 1; k <= legs; ++k) {
      doc += "  <TrdLeg LegNo=\"" + std::to_string(k) + "\"><Leg Sym=\"L" + std::to_string(k) +
             "\"/></TrdLeg>\n";
    }
    return doc + "<RptSide Side=\"1\"/></TrdCaptRpt></FIXML>\n";
  };
  const std::vector<FieldRef> fields = {{"TrdLeg@LegNo", ""}, {"Leg@Sym", ""}};
  auto small = ReadDocument(report(2), "two.fixml", fields);
  ASSERT_EQ(small.good.size(), 2u);
  EXPECT_NE(small.good[1].raw.find("LegNo=\"1\""), std::string::npos);  // the whole report
  EXPECT_NE(small.good[1].raw.find("LegNo=\"2\""), std::string::npos);

  auto huge = ReadDocument(report(3000), "huge.fixml", fields);
  ASSERT_EQ(huge.good.size(), 3000u);
  size_t total = 0;
  for (int k : {0, 1499, 2999}) {
    const SourceRecord& rec = huge.good[k];
    const std::string own = "<TrdLeg LegNo=\"" + std::to_string(k + 1) + "\"><Leg Sym=\"L" +
                            std::to_string(k + 1) + "\"/></TrdLeg>";
    EXPECT_EQ(rec.values[1], "L" + std::to_string(k + 1));
    EXPECT_TRUE(rec.raw.starts_with("<TrdCaptRpt TrdID=\"9\"")) << rec.raw.substr(0, 80);
    EXPECT_NE(rec.raw.find(own), std::string::npos) << k;
    EXPECT_EQ(rec.raw.find("<TrdLeg", rec.raw.find(own) + 1), std::string::npos) << k;
    EXPECT_NE(rec.raw.find("other 2999 TrdLeg elements are left out"), std::string::npos);
    EXPECT_TRUE(rec.raw.ends_with("<RptSide Side=\"1\"/></TrdCaptRpt>")) << k;
    total += rec.raw.size();
  }
  EXPECT_LT(total, 3 * 300u);
}

// A DTD could change values without a trace: with an external subset expat cannot read, it drops
// references to entities it does not know ("21&x;97.2" read 2197.2), and it applies attribute
// defaults. A document that declares one is not read; a bare <!DOCTYPE FIXML> is harmless.
TEST(FixmlSourceTest, ADocumentWithADtdIsNotRead) {
  const std::string report = "<TrdCaptRpt TrdID=\"1\" LastPx=\"21&x;97.2\"/>\n";
  for (const std::string& doctype :
       {std::string("<!DOCTYPE FIXML SYSTEM \"fixml.dtd\">\n"),
        std::string("<!DOCTYPE FIXML [<!ATTLIST TrdCaptRpt LastPx CDATA \"1.5\">]>\n")}) {
    SCOPED_TRACE(doctype);
    FixmlSource source(
        OpenStringStream(doctype + "<FIXML><Batch>\n" + report + report + "</Batch></FIXML>\n"),
        "dtd.fixml");
    ASSERT_TRUE(source.Bind({{"TrdCaptRpt@LastPx", ""}}).ok());
    auto d = testing::DrainSource(&source);
    ASSERT_FALSE(d.fatal.ok());
    EXPECT_THAT(d.fatal.message(),
                HasSubstr("XML not read: the document declares a DTD (<!DOCTYPE FIXML ...>), "
                          "which tradeflow does not read"));
    EXPECT_THAT(d.fatal.message(), HasSubstr("2 more reports follow it"));
    EXPECT_TRUE(d.good.empty());
  }
  FixmlSource bare(OpenStringStream("<!DOCTYPE FIXML>\n<FIXML><TrdCaptRpt TrdID=\"1\"/></FIXML>"),
                   "bare.fixml");
  ASSERT_TRUE(bare.Bind({{"TrdCaptRpt@TrdID", ""}}).ok());
  auto d = testing::DrainSource(&bare);
  ASSERT_TRUE(d.fatal.ok()) << d.fatal.ToString();
  ASSERT_EQ(d.good.size(), 1u);
}

// expat reports a CDATA section never closed at the end of the file: the reports after the
// section's start are lost with it, so the file cannot be read to its end.
TEST(FixmlSourceTest, AnUnclosedCdataSectionFailsTheFileForTheReportsInsideIt) {
  std::string doc =
      "<FIXML><Batch>\n<TrdCaptRpt TrdID=\"1\"/>\n<TrdCaptRpt TrdID=\"2\"><Txt>"
      "<![CDATA[ a note\n";
  for (int i = 3; i <= 5; ++i) doc += "<TrdCaptRpt TrdID=\"" + std::to_string(i) + "\"/>\n";
  doc += "</Batch></FIXML>\n";
  for (size_t chunk : {size_t{16}, size_t{1} << 16}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    FixmlSource source(OpenStringStream(doc), "cdata.fixml", false, chunk);
    ASSERT_TRUE(source.Bind({{"TrdCaptRpt@TrdID", ""}}).ok());
    auto d = testing::DrainSource(&source);
    ASSERT_FALSE(d.fatal.ok());
    EXPECT_THAT(d.fatal.message(), HasSubstr("unclosed CDATA section"));
    EXPECT_THAT(d.fatal.message(), HasSubstr("3 more reports follow it"));
    EXPECT_EQ(d.good.size(), 1u);
  }
  // Between reports, where the text leaves the input the source keeps long before the end.
  std::string between = "<FIXML><Batch>\n<TrdCaptRpt TrdID=\"1\"/>\n<![CDATA[ forgotten\n";
  for (int i = 2; i <= 300; ++i) {
    between +=
        "<TrdCaptRpt TrdID=\"" + std::to_string(i) + "\" Txt=\"" + std::string(40, 'x') + "\"/>\n";
  }
  between += "</Batch></FIXML>\n";
  for (size_t chunk : {size_t{7}, size_t{100}, size_t{4096}, size_t{1} << 16}) {
    SCOPED_TRACE("between, chunk " + std::to_string(chunk));
    FixmlSource source(OpenStringStream(between), "cdata.fixml", false, chunk);
    ASSERT_TRUE(source.Bind({{"TrdCaptRpt@TrdID", ""}}).ok());
    auto d = testing::DrainSource(&source);
    ASSERT_FALSE(d.fatal.ok());
    EXPECT_THAT(d.fatal.message(), HasSubstr("299 more reports follow it"));
    EXPECT_EQ(d.good.size(), 1u);
  }
}

// A handler that stops the parse (here: nesting too deep) leaves expat's position at the next
// token, which may be a report's start tag: that report is counted, not skipped.
TEST(FixmlSourceTest, AReportRightAfterAnErrorAHandlerStoppedAtIsCounted) {
  std::string doc = "<FIXML><Batch>";
  for (int i = 0; i < 999; ++i) doc += "<W>";
  doc += "<TrdCaptRpt TrdID=\"9\"/>";
  for (int i = 0; i < 999; ++i) doc += "</W>";
  doc += "</Batch></FIXML>";
  auto d = ReadDocument(doc, "deep.fixml", {});
  ASSERT_FALSE(d.fatal.ok());
  EXPECT_THAT(d.fatal.message(), HasSubstr("nested more than 1000 levels deep"));
  EXPECT_THAT(d.fatal.message(), HasSubstr("1 more report follows it"));
}

// Attribute values may hold '>': a long report start tag with one is kept whole for its raw text.
TEST(FixmlSourceTest, ARawReportKeepsAStartTagWithAGreaterThanSignInAnAttribute) {
  std::string tag = "<TrdCaptRpt TrdID=\"7\" Txt=\"a -> b\"";
  for (int i = 0; i < 60; ++i)
    tag += " A" + std::to_string(i) + "=\"" + std::string(40, 'v') + "\"";
  const std::string report = tag + "><Instrmt Sym=\"NG\"/></TrdCaptRpt>";
  const std::string doc = "<FIXML><Batch>\n" + report + "\n</Batch></FIXML>\n";
  for (size_t chunk : {size_t{64}, size_t{1000}, size_t{1} << 16}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    FixmlSource source(OpenStringStream(doc), "gt.fixml", false, chunk);
    ASSERT_TRUE(source.Bind({{"TrdCaptRpt@TrdID", ""}}).ok());
    auto d = testing::DrainSource(&source);
    ASSERT_EQ(d.good.size(), 1u);
    EXPECT_EQ(d.good[0].raw, report);
  }
}

// A key attribute's value is part of a path: the characters that build paths are encoded, so a
// value cannot name another element's path.
TEST(FixmlSourceTest, KeyValuesCannotNameAnotherPath) {
  const std::string doc =
      "<TrdCaptRpt TrdID=\"1\"><RptSide><Pty R=\"17\"><Sub Typ=\"5\" ID=\"Real\"/></Pty>"
      "<Pty R=\"17]/Sub[Typ=5\" ID=\"Evil\"/></RptSide></TrdCaptRpt>";
  auto d = ReadDocument(doc, "k.fixml", {{"RptSide/Pty[R=17]/Sub[Typ=5]@ID", ""}});
  ASSERT_EQ(d.good.size(), 1u);
  EXPECT_EQ(d.good[0].values[0], "Real");
  EXPECT_EQ(ExtrasOf(d.good[0])["RptSide/Pty[R=17%5D%2FSub%5BTyp=5]@ID"], "Evil");
}

// A leg's fields are named without the TrdLeg/ prefix. A leg's own Stip or Pty is the leg's and
// wins for it; a <Hdr> inside a TrdLeg that says otherwise than the report's is an error.
TEST(FixmlSourceTest, ALegCannotHaveAMessageHeaderOfItsOwn) {
  const std::string doc =
      "<TrdCaptRpt TrdID=\"1\"><Hdr SID=\"ENDUR\"/><Stip Typ=\"QTYFREQ\" Val=\"Daily\"/>"
      "<TrdLeg LegNo=\"1\"><Hdr SID=\"ENDUR\"/><Stip Typ=\"QTYFREQ\" Val=\"Daily\"/></TrdLeg>"
      "<TrdLeg LegNo=\"2\"><Stip Typ=\"QTYFREQ\" Val=\"Hourly\"/></TrdLeg>"
      "<TrdLeg LegNo=\"3\"><Hdr SID=\"OTHER\"/></TrdLeg></TrdCaptRpt>";
  auto d = ReadDocument(doc, "leg.fixml", {{"Hdr@SID", ""}, {"Stip[Typ=QTYFREQ]@Val", ""}});
  ASSERT_EQ(d.good.size(), 2u);
  EXPECT_EQ(d.good[0].values, (std::vector<std::string>{"ENDUR", "Daily"}));
  EXPECT_EQ(d.good[1].values, (std::vector<std::string>{"ENDUR", "Hourly"}));
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_THAT(d.errors[0], HasSubstr("TrdCaptRpt 1 leg 3: Hdr@SID is 'OTHER' inside its TrdLeg "
                                     "but 'ENDUR' for the report: a leg cannot have a message "
                                     "header of its own"));
}

// The report's header is its own, else its batch's: a leg's <Hdr> must agree with that too,
// and is an error where the report has none at all.
TEST(FixmlSourceTest, ALegHeaderIsCheckedAgainstTheBatchHeaderToo) {
  const std::string doc =
      "<FIXML><Batch><Hdr SID=\"CME\"/>"
      "<TrdCaptRpt TrdID=\"1\"><TrdLeg LegNo=\"1\"/><TrdLeg LegNo=\"2\"><Hdr SID=\"OTHER\"/>"
      "</TrdLeg></TrdCaptRpt></Batch>"
      "<TrdCaptRpt TrdID=\"2\"><TrdLeg LegNo=\"1\"><Hdr TID=\"X\"/></TrdLeg></TrdCaptRpt>"
      "</FIXML>";
  auto d = ReadDocument(doc, "b.fixml", {{"Hdr@SID", ""}, {"package_id", ""}});
  ASSERT_EQ(d.good.size(), 1u);  // report 1's first leg: its package fails downstream
  ASSERT_EQ(d.errors.size(), 2u);
  EXPECT_THAT(d.errors[0], HasSubstr("TrdCaptRpt 1 leg 2: Hdr@SID is 'OTHER' inside its TrdLeg "
                                     "but 'CME' for the report"));
  EXPECT_THAT(d.errors[1], HasSubstr("TrdCaptRpt 2 leg 1: Hdr@TID is 'X' inside its TrdLeg but "
                                     "not set for the report"));
}

// A nested batch's header, or another message's, shadows the batch's only while it is open.
TEST(FixmlSourceTest, AnInnerHeaderShadowsTheBatchHeaderOnlyWhileOpen) {
  const std::string doc =
      "<FIXML><Batch ID=\"OUTER\"><Hdr SID=\"CME\"/>"
      "<TrdCaptRptAck TrdID=\"9\"><Hdr SID=\"ACK\"/></TrdCaptRptAck>"
      "<TrdCaptRpt TrdID=\"1\"/>"
      "<Batch ID=\"INNER\"><Hdr SID=\"ICE\"/><TrdCaptRpt TrdID=\"2\"/></Batch>"
      "<TrdCaptRpt TrdID=\"3\"/></Batch></FIXML>";
  for (size_t chunk : {1, 7, 1 << 20}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    FixmlSource source(OpenStringStream(doc), "n.fixml", false, chunk);
    ASSERT_TRUE(source.Bind({{"TrdCaptRpt@TrdID", ""}, {"Hdr@SID", ""}, {"Batch@ID", ""}}).ok());
    auto d = testing::DrainSource(&source);
    ASSERT_EQ(d.good.size(), 3u);
    EXPECT_EQ(d.good[0].values, (std::vector<std::string>{"1", "CME", "OUTER"}));
    EXPECT_EQ(d.good[1].values, (std::vector<std::string>{"2", "ICE", "INNER"}));
    EXPECT_EQ(d.good[2].values, (std::vector<std::string>{"3", "CME", "OUTER"}));
    for (const auto& r : d.good) EXPECT_TRUE(ExtrasOf(r).empty()) << r.location;
  }
}

// A report has one Hdr and one Instrmt: a second makes it malformed (every leg of it), where
// the mapping would have taken the first without a word. Two RptSide are FIX's two sides.
TEST(FixmlSourceTest, ASecondInstrumentOrHeaderMakesTheReportMalformed) {
  const std::string doc =
      "<FIXML><TrdCaptRpt TrdID=\"1\"><Instrmt Sym=\"GOLD\"/><Instrmt Sym=\"COPPER\"/>"
      "<TrdLeg LegNo=\"1\"/><TrdLeg LegNo=\"2\"/></TrdCaptRpt>"
      "<TrdCaptRpt TrdID=\"2\"><Hdr SID=\"A\"/><Hdr SID=\"B\"/></TrdCaptRpt>"
      "<TrdCaptRpt TrdID=\"3\"><Instrmt Sym=\"GOLD\"/><RptSide Side=\"1\"/>"
      "<RptSide Side=\"2\"/></TrdCaptRpt></FIXML>";
  auto d = ReadDocument(doc, "two.fixml", {{"TrdCaptRpt@TrdID", ""}});
  ASSERT_EQ(d.good.size(), 1u);
  EXPECT_EQ(d.good[0].values[0], "3");
  ASSERT_EQ(d.errors.size(), 3u);
  EXPECT_THAT(d.errors[0], HasSubstr("TrdCaptRpt 1 leg 1: the report has two <Instrmt> elements"));
  EXPECT_THAT(d.errors[1], HasSubstr("TrdCaptRpt 1 leg 2: the report has two <Instrmt>"));
  EXPECT_THAT(d.errors[2], HasSubstr("TrdCaptRpt 2: the report has two <Hdr> elements; a "
                                     "TrdCaptRpt has one, and which is meant cannot be told"));
}

// A file that ends between reports before its root closes was cut short: the file's error (as
// a truncated .gz), not a malformed record that no report is.
TEST(FixmlSourceTest, AFileWithoutItsTrailerIsTheFilesError) {
  const std::string doc = "<FIXML><Batch><TrdCaptRpt TrdID=\"1\"/><TrdCaptRpt TrdID=\"2\"/>\n";
  for (size_t chunk : {1, 5, 1 << 20}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    FixmlSource source(OpenStringStream(doc), "cut.fixml", false, chunk);
    ASSERT_TRUE(source.Bind({{"TrdCaptRpt@TrdID", ""}}).ok());
    auto d = testing::DrainSource(&source);
    EXPECT_EQ(d.good.size(), 2u);
    EXPECT_TRUE(d.errors.empty());
    EXPECT_EQ(d.fatal.code(), StatusCode::kIOError);
    EXPECT_THAT(d.fatal.message(),
                HasSubstr("cut.fixml:2: the file ends before its root element closes (no "
                          "</FIXML> or </Batch>): is the export complete?"));
  }
}

// PackageID="" is none: the legs are tied by the TrdID.
TEST(FixmlSourceTest, AnEmptyPackageIdFallsBackToTheTradeId) {
  const std::string doc =
      "<TrdCaptRpt TrdID=\"7\" PackageID=\"\"><TrdLeg LegNo=\"1\"/><TrdLeg LegNo=\"2\"/>"
      "</TrdCaptRpt>";
  auto d = ReadDocument(doc, "p.fixml", {{"package_id", ""}});
  ASSERT_EQ(d.good.size(), 2u);
  EXPECT_EQ(d.good[0].values[0], "7");
  EXPECT_EQ(d.good[1].values[0], "7");
}

// Paths grow with nesting, so memory would grow with its square: more than 1000 levels is an
// error, the last report's here.
TEST(FixmlSourceTest, NestingDeeperThanALimitIsAnError) {
  std::string doc = "<FIXML><TrdCaptRpt TrdID=\"1\">";
  for (int i = 0; i < 1200; ++i) doc += "<A>";
  for (int i = 0; i < 1200; ++i) doc += "</A>";
  doc += "</TrdCaptRpt></FIXML>";
  auto d = ReadDocument(doc, "deep.fixml", {});
  EXPECT_TRUE(d.good.empty());
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_THAT(d.errors[0], HasSubstr("elements are nested more than 1000 levels deep"));
}

// XML 1.0 §4.3.3: a byte order mark and a declaration that disagree are an error, not Latin-1
// read from UTF-8 bytes ("IbÃ©ria"). Read as Latin-1 by configuration, the mark is named too.
TEST(FixmlSourceTest, AUtf8ByteOrderMarkMustAgreeWithTheDeclaration) {
  const std::string body = "<TrdCaptRpt TrdID=\"1\"><Instrmt Sym=\"Ib\xC3\xA9ria\"/></TrdCaptRpt>";
  {
    std::string path = testing::WriteTempFile(
        "bom1.fixml", "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" + body);
    auto source = FixmlSource::Open(path, {});
    ASSERT_TRUE(source.ok());
    ASSERT_TRUE((*source)->Bind({{"Instrmt@Sym", ""}}).ok());
    auto d = testing::DrainSource(source->get());
    ASSERT_FALSE(d.fatal.ok());
    EXPECT_THAT(d.fatal.message(), HasSubstr("starts with a UTF-8 byte order mark, but its XML "
                                             "declaration names another encoding"));
  }
  {
    std::string path = testing::WriteTempFile(
        "bom2.fixml", "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body);
    auto source = FixmlSource::Open(path, {});
    ASSERT_TRUE(source.ok());
    ASSERT_TRUE((*source)->Bind({{"Instrmt@Sym", ""}}).ok());
    auto d = testing::DrainSource(source->get());
    ASSERT_EQ(d.good.size(), 1u);
    EXPECT_EQ(d.good[0].values[0], "Ib\xC3\xA9ria");
    EXPECT_EQ(d.good[0].byte_offset, 3 + 39);  // offsets count the file's bytes, the mark too
  }
  {
    std::string path = testing::WriteTempFile("bom3.fixml", "\xEF\xBB\xBF" + body);
    auto source = FixmlSource::Open(path, {Encoding::kLatin1, Compression::kAuto});
    ASSERT_TRUE(source.ok());
    ASSERT_TRUE((*source)->Bind({}).ok());
    auto d = testing::DrainSource(source->get());
    ASSERT_FALSE(d.fatal.ok());
    EXPECT_THAT(d.fatal.message(), HasSubstr("starts with a UTF-8 byte order mark but is read "
                                             "as Latin-1 or windows-1252: set encoding: utf-8"));
  }
}

}  // namespace
}  // namespace tradeflow::sources
