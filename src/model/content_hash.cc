#include "model/content_hash.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>
#include <xxhash.h>

#include <algorithm>
#include <memory>

namespace tradeflow::model {
namespace {

using google::protobuf::internal::WireFormatLite;

struct FreeState {
  void operator()(XXH3_state_t* state) const { XXH3_freeState(state); }
};

}  // namespace

Result<int64_t> ContentHash(std::string_view serialized, const std::vector<int>& excluded_fields) {
  // One streaming state per thread, reused: it is 576 bytes, too big for every call to make one.
  thread_local std::unique_ptr<XXH3_state_t, FreeState> state(XXH3_createState());
  if (!state || XXH3_64bits_reset(state.get()) == XXH_ERROR) {
    return Status::Internal("cannot start an XXH3 hash");
  }
  auto add = [&](std::string_view bytes) {
    XXH3_64bits_update(state.get(), bytes.data(), bytes.size());
  };
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(serialized.data()),
                                            static_cast<int>(serialized.size()));
  // Consecutive kept fields are hashed as one run of bytes.
  const int size = static_cast<int>(serialized.size());
  int run_start = 0;
  while (in.CurrentPosition() < size) {
    const int field_start = in.CurrentPosition();
    const uint32_t tag = in.ReadTag();
    const int number = WireFormatLite::GetTagFieldNumber(tag);
    if (number == 0 || !WireFormatLite::SkipField(&in, tag)) {
      return Status::Invalid("malformed serialized message: field " + std::to_string(number) +
                             " at byte " + std::to_string(field_start));
    }
    if (std::find(excluded_fields.begin(), excluded_fields.end(), number) ==
        excluded_fields.end()) {
      continue;
    }
    add(serialized.substr(run_start, field_start - run_start));
    run_start = in.CurrentPosition();
  }
  add(serialized.substr(run_start));
  uint64_t hash = XXH3_64bits_digest(state.get());
  if (hash == 0) hash = 1;  // 0 means "not known"
  return static_cast<int64_t>(hash);
}

void AppendSfixed64Field(int field_number, int64_t value, std::string* serialized) {
  google::protobuf::io::StringOutputStream stream(serialized);  // writes after what is there
  google::protobuf::io::CodedOutputStream out(&stream);
  WireFormatLite::WriteSFixed64(field_number, value, &out);
}

}  // namespace tradeflow::model
