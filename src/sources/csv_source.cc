#include "sources/csv_source.h"

#include <algorithm>

#include "sources/utf8.h"

namespace tradeflow::sources {

Status CsvSource::Bind(const std::vector<FieldRef>& fields) {
  const auto& columns = reader_->column_names();
  bound_.clear();
  column_bound_.assign(columns.size(), false);
  for (const auto& f : fields) {
    auto it = std::find(columns.begin(), columns.end(), f.name);
    if (it == columns.end()) {
      std::string known;
      for (const auto& c : columns) known += std::string(known.empty() ? "" : ", ") + "'" + c + "'";
      std::string msg =
          "unknown column '" + f.name + "' in " + reader_->path() + " (it has: " + known + ")";
      msg += OneColumnHeaderHint(columns);
      return Status::Invalid(f.where.empty() ? msg : f.where + ": " + msg);
    }
    int index = static_cast<int>(it - columns.begin());
    bound_.push_back(index);
    column_bound_[index] = true;
  }
  return Status::OK();
}

Result<bool> CsvSource::Next(SourceRecord* out) {
  // Not out->Clear(): values and extras are assigned in place below, so their strings keep their
  // buffers from one record to the next (per-field allocations were a visible cost).
  auto more = reader_->Next(&record_);
  out->line = record_.line;
  out->byte_offset = record_.byte_offset;
  out->location = "line " + std::to_string(record_.line);
  out->raw = record_.raw;
  out->swallowed_lines = more.ok() ? 0 : record_.swallowed_lines;
  if (!more.ok() || !*more) {
    out->values.clear();
    out->extras.clear();
    return more;
  }
  TF_RETURN_IF_ERROR(
      CheckRecordUtf8(record_.raw, reader_->path() + ":" + std::to_string(record_.line)));
  out->values.resize(bound_.size());
  for (size_t b = 0; b < bound_.size(); ++b) out->values[b].assign(record_.fields[bound_[b]]);
  const auto& columns = reader_->column_names();
  size_t extras = 0;
  for (size_t i = 0; i < record_.fields.size(); ++i) {
    if (!column_bound_[i] && !record_.fields[i].empty()) {
      if (extras == out->extras.size()) out->extras.emplace_back();
      out->extras[extras].first.assign(columns[i]);
      out->extras[extras].second.assign(record_.fields[i]);
      ++extras;
    }
  }
  out->extras.resize(extras);
  return true;
}

}  // namespace tradeflow::sources
