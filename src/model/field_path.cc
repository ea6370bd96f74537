#include "model/field_path.h"

#include <charconv>

#include "model/proto_schema.h"

namespace tradeflow::model {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

Result<std::vector<PathStep>> ResolveFieldPath(const Descriptor* root, const std::string& path) {
  std::vector<PathStep> steps;
  const Descriptor* current = root;
  size_t start = 0;
  for (;;) {
    size_t dot = path.find('.', start);
    std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    int index = -1;
    if (size_t bracket = part.find('['); bracket != std::string::npos) {
      if (part.back() != ']') return Status::Invalid("'" + path + "': malformed index in " + part);
      std::string_view digits(part.data() + bracket + 1, part.size() - bracket - 2);
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (ec != std::errc() || p != digits.data() + digits.size() || index < 0) {
        return Status::Invalid("'" + path + "': the index in " + part + " must be a number >= 0");
      }
      // One spelling per index: "legs[00]" or "legs[-0]" would pass for another target than
      // "legs[0]".
      if (digits[0] == '-' || (digits.size() > 1 && digits[0] == '0')) {
        return Status::Invalid("'" + path + "': the index in " + part +
                               " has a leading zero; write it as " + std::to_string(index));
      }
      part.resize(bracket);
    }
    if (current == nullptr) {
      return Status::Invalid("'" + path + "': " + steps.back().field->name() + " has no fields");
    }
    const FieldDescriptor* field = current->FindFieldByName(part);
    if (field == nullptr) {
      return Status::Invalid("'" + path + "': " + current->name() + " has no field '" + part + "'");
    }
    if (field->is_map()) return Status::Invalid("'" + path + "': map fields cannot be named");
    if (field->is_repeated() && index < 0) {
      return Status::Invalid("'" + path + "': " + part + " is a list; write " + part + "[0]");
    }
    if (!field->is_repeated() && index >= 0) {
      return Status::Invalid("'" + path + "': " + part + " is not a list");
    }
    steps.push_back({field, index});
    if (dot == std::string::npos) return steps;
    current =
        field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE ? field->message_type() : nullptr;
    // Value messages are leaves: "price.value.value" would reach the Decimal's inner string.
    if (current != nullptr &&
        (IsDecimalMessage(current) || IsDateMessage(current) || IsTimestampMessage(current))) {
      return Status::Invalid("'" + path + "': " + part + " is a " + current->name() +
                             " value and has no fields to address");
    }
    start = dot + 1;
  }
}

}  // namespace tradeflow::model
