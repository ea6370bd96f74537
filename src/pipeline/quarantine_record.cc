#include "pipeline/quarantine_record.h"

#include <cstdio>
#include <string_view>

#include "sources/utf8.h"

namespace tradeflow::pipeline {

using tradeflow::quarantine::v1::QuarantineRecord;

namespace {

// `raw` with each byte that is not UTF-8 written as \xNN.
std::string EscapeInvalidUtf8(const std::string& raw) {
  constexpr size_t kValid = std::string_view::npos;
  std::string text;
  size_t start = 0;
  for (;;) {
    size_t bad = sources::FindInvalidUtf8(std::string_view(raw).substr(start));
    if (bad == kValid) break;
    text.append(raw, start, bad);
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(raw[start + bad]));
    text += hex;
    start += bad + 1;
  }
  text.append(raw, start, std::string::npos);
  return text;
}

}  // namespace

void SetRawRecord(const std::string& raw, QuarantineRecord* q) {
  if (sources::FindInvalidUtf8(raw) == std::string_view::npos) {
    q->set_raw_record(raw);
    return;
  }
  q->set_raw_record(EscapeInvalidUtf8(raw));
  q->set_raw_bytes(raw);
}

QuarantineRecord MakeQuarantineRecord(const QuarantineOrigin& origin,
                                      const sources::InputFile& input,
                                      const sources::SourceRecord& record, const RecordOutcome& out,
                                      int64_t now_micros) {
  QuarantineRecord q;
  q.set_run_id(origin.run_id);
  q.set_pipeline(origin.pipeline);
  q.set_mapping_version(origin.mapping_version);
  q.set_stage(out.stage);
  q.set_input_uri(input.uri);
  q.set_input_sha256(input.sha256);
  q.set_source_location(record.location);
  q.set_line(record.line);
  q.set_byte_offset(record.byte_offset);
  SetRawRecord(record.raw, &q);
  for (const auto& f : out.failures) {
    auto* rf = q.add_failures();
    rf->set_rule(f.rule);
    rf->set_severity("ERROR");
    rf->set_field(f.field);
    // A message may quote the input's path, which need not be UTF-8 (a Latin-1 file name): a
    // Parquet string column must be.
    const bool text = sources::FindInvalidUtf8(f.message) == std::string_view::npos;
    rf->set_message(text ? f.message : EscapeInvalidUtf8(f.message));
  }
  if (out.mapped) {
    q.set_source_system(out.key.source_system);
    q.set_source_trade_id(out.key.source_trade_id);
    q.set_source_version(out.key.source_version);
    q.set_mapped_record_json(out.mapped_json);
  }
  q.mutable_quarantined_time()->set_seconds(now_micros / 1000000);
  q.mutable_quarantined_time()->set_nanos(static_cast<int32_t>(now_micros % 1000000) * 1000);
  return q;
}

}  // namespace tradeflow::pipeline
