#include "transform/field_path.h"

#include "model/field_path.h"

namespace tradeflow::transform {

using google::protobuf::Descriptor;

Result<FieldPath> FieldPath::Resolve(const Descriptor* root, const std::string& path) {
  FieldPath out;
  out.text_ = path;
  TF_ASSIGN_OR_RETURN(auto steps, model::ResolveFieldPath(root, path));
  for (const auto& s : steps) {
    // A mapping grows lists up to the index it names; keep that bounded.
    if (s.index > 99) return Status::Invalid("'" + path + "': list indexes go up to 99");
    out.steps_.push_back({s.field, s.index});
  }
  if (out.leaf()->is_repeated()) {
    return Status::Invalid("'" + path + "': a list element cannot be a target; map its fields");
  }
  return out;
}

}  // namespace tradeflow::transform
