// Addresses one field of a proto message by a dotted path with optional list indexes
// ("legs[0].fixed.price.value"), resolved once against the descriptor. TargetTree turns the
// paths of a mapping into the messages that hold their leaves.
#pragma once

#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace tradeflow::transform {

class FieldPath {
 public:
  struct Step {
    const google::protobuf::FieldDescriptor* field;
    int index;  // list index, -1 for singular fields
  };

  // Invalid with the reason when a name does not exist, an index is on a non-list field, or a
  // list is used without an index.
  static Result<FieldPath> Resolve(const google::protobuf::Descriptor* root,
                                   const std::string& path);

  const std::string& text() const { return text_; }
  const google::protobuf::FieldDescriptor* leaf() const { return steps_.back().field; }
  // From the root's field to the leaf.
  const std::vector<Step>& steps() const { return steps_; }

 private:
  std::string text_;
  std::vector<Step> steps_;
};

}  // namespace tradeflow::transform
