#include "common/arrow_status.h"

namespace tradeflow {

namespace {

// Arrow keeps the system's reason apart from the message, as a detail ("[errno 28] No space left
// on device" for "Error writing bytes to file"): without it a full disk reads as a bare failure.
std::string MessageWithDetail(const arrow::Status& st) {
  if (st.detail() == nullptr) return st.message();
  return st.message() + " (" + st.detail()->ToString() + ")";
}

}  // namespace

Status FromArrow(const arrow::Status& st) {
  if (st.ok()) return Status::OK();
  if (st.IsIOError()) return Status::IOError(MessageWithDetail(st));
  if (st.IsKeyError() || st.IsIndexError()) return Status::NotFound(MessageWithDetail(st));
  if (st.IsInvalid() || st.IsTypeError() || st.IsNotImplemented()) {
    return Status::Invalid(MessageWithDetail(st));
  }
  return Status::Internal(st.ToString());
}

}  // namespace tradeflow
