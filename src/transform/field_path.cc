#include "transform/field_path.h"

#include <charconv>

namespace tradeflow::transform {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

Result<FieldPath> FieldPath::Resolve(const Descriptor* root, const std::string& path) {
  FieldPath out;
  out.text_ = path;
  const Descriptor* current = root;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    int index = -1;
    if (size_t bracket = part.find('['); bracket != std::string::npos) {
      if (part.back() != ']') return Status::Invalid("'" + path + "': malformed index in " + part);
      std::string_view digits(part.data() + bracket + 1, part.size() - bracket - 2);
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (ec != std::errc() || p != digits.data() + digits.size() || index < 0 || index > 99) {
        return Status::Invalid("'" + path + "': index must be 0..99 in " + part);
      }
      part.resize(bracket);
    }
    if (current == nullptr) {
      return Status::Invalid("'" + path + "': " + out.steps_.back().field->name() +
                             " has no fields");
    }
    const FieldDescriptor* field = current->FindFieldByName(part);
    if (field == nullptr) {
      return Status::Invalid("'" + path + "': " + current->name() + " has no field '" + part + "'");
    }
    if (field->is_map()) return Status::Invalid("'" + path + "': map fields cannot be targets");
    if (field->is_repeated() && index < 0) {
      return Status::Invalid("'" + path + "': " + part + " is a list; write " + part + "[0]");
    }
    if (!field->is_repeated() && index >= 0) {
      return Status::Invalid("'" + path + "': " + part + " is not a list");
    }
    out.steps_.push_back({field, index});
    current =
        field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE ? field->message_type() : nullptr;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (out.steps_.empty()) return Status::Invalid("empty target path");
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
