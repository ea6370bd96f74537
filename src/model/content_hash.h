// A fingerprint of a serialized message's content that leaves out chosen top-level fields: for
// a trade version, everything but where it came from (provenance), the source's unmapped
// columns (source_attributes) and what the checks said of it (quality warnings), so that the same
// version sent again has the same fingerprint and a changed one, another (trade-domain.md §3 rule
// 15: a replay is ignored, a conflict is an error).
//
// The fingerprint is XXH3-64 (xxHash 0.8, seed 0, whose output is fixed by its specification)
// of the bytes of every kept top-level field, tag included, in the order they appear. It depends
// on the serialization, so it is meant for bytes from deterministic serialization, where equal
// messages give equal bytes.
//
// Why not a cryptographic hash: the fingerprint only decides whether a repeated version is
// counted as a replay (not stored) or treated as a conflict (quarantined, or with
// unique_version as a warning stored flagged); the version stored first stays as it is either
// way. Resisting crafted collisions would buy little, and SHA-256 cost 3% of a batch run's CPU
// where XXH3 costs nothing measurable.
//
// Never 0, so 0 can mean "not known" (rows stored before the fingerprint was kept).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tradeflow::model {

// Invalid when `serialized` is not a well-formed sequence of fields.
Result<int64_t> ContentHash(std::string_view serialized, const std::vector<int>& excluded_fields);

// Appends `value` as field `field_number` of wire type fixed64 (an sfixed64 field). The result
// is what deterministic serialization gives when `field_number` is above every field number
// already in `serialized`, which the caller must ensure.
void AppendSfixed64Field(int field_number, int64_t value, std::string* serialized);

}  // namespace tradeflow::model
