// Addresses one field of a proto message by a dotted path with optional list indexes
// ("legs[0].fixed.price.value"), resolved once against the descriptor and then used to set values
// by reflection, creating intermediate messages and list elements as needed.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace tradeflow::transform {

class FieldPath {
 public:
  // Invalid with the reason when a name does not exist, an index is on a non-list field, or a
  // list is used without an index.
  static Result<FieldPath> Resolve(const google::protobuf::Descriptor* root,
                                   const std::string& path);

  const std::string& text() const { return text_; }
  const google::protobuf::FieldDescriptor* leaf() const { return steps_.back().field; }

  // The message that holds the leaf field inside `root`, created on the way if missing.
  google::protobuf::Message* MutableParent(google::protobuf::Message* root) const;

 private:
  struct Step {
    const google::protobuf::FieldDescriptor* field;
    int index;  // list index, -1 for singular fields
  };
  std::string text_;
  std::vector<Step> steps_;
};

}  // namespace tradeflow::transform
