// Iceberg schema JSON from an Arrow schema whose fields carry PARQUET:field_id, and back to the
// field ids by column path.
//
// This is the only place that knows how Arrow types map onto Iceberg types (spec Appendix C):
//   utf8→string  binary→binary  bool→boolean  int32→int  int64→long  float→float  double→double
//   decimal128(P,S)→decimal(P, S)  date32→date  timestamp[us,tz]→timestamptz
//   timestamp[us]→timestamp struct→struct  list→list (element-id)  map→map (key-id, value-id)
// Any other Arrow type is refused: the lake module writes only what every Iceberg reader reads.
#pragma once

#include <arrow/type.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace tradeflow::lake {

// {"type":"struct","schema-id":<schema_id>,"fields":[...]}. Every field, list element and map
// key/value must carry a field id.
Result<nlohmann::json> IcebergSchemaFromArrow(const arrow::Schema& schema, int32_t schema_id);

// Column path → field id for every field of an Iceberg schema JSON ("parties.book",
// "legs.element.quantity.value", "source_attributes.key"), and the highest id seen.
struct IcebergFieldIds {
  std::map<std::string, int32_t> by_path;
  int32_t max_id = 0;
};
Result<IcebergFieldIds> FieldIdsOfIcebergSchema(const nlohmann::json& schema);

// The Iceberg type of a primitive Arrow type ("long", "decimal(38, 10)"), or an error.
Result<std::string> IcebergPrimitiveType(const arrow::DataType& type);

}  // namespace tradeflow::lake
