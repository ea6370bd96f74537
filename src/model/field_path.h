// Canonical field paths: a dotted path with optional list indexes ("legs[0].fixed.price.value")
// resolved against a message descriptor into the chain of fields it names.
//
// One parser serves every place a user names a field (mapping targets, validation rules), so
// the syntax and the error messages are the same everywhere. A path may stop at a value message
// (Decimal, Date, Timestamp) but not go inside one: "price.value.value" is an error.
#pragma once

#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace tradeflow::model {

struct PathStep {
  const google::protobuf::FieldDescriptor* field;
  int index;  // list index, -1 for singular fields
};

// Invalid, naming the path and the part at fault, when a name does not exist, an index is on a
// non-list field, a list is used without an index, a map is named, or the path goes inside a
// value message. The last step may be of any kind; callers check what they can use.
Result<std::vector<PathStep>> ResolveFieldPath(const google::protobuf::Descriptor* root,
                                               const std::string& path);

}  // namespace tradeflow::model
