#include "transform/field_path.h"

#include "model/field_path.h"

namespace tradeflow::transform {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

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

Message* FieldPath::MutableParent(Message* root) const {
  Message* msg = root;
  for (size_t i = 0; i + 1 < steps_.size(); ++i) {
    const Step& s = steps_[i];
    const auto* r = msg->GetReflection();
    if (s.index < 0) {
      msg = r->MutableMessage(msg, s.field);
    } else {
      while (r->FieldSize(*msg, s.field) <= s.index) r->AddMessage(msg, s.field);
      msg = r->MutableRepeatedMessage(msg, s.field, s.index);
    }
  }
  return msg;
}

}  // namespace tradeflow::transform
