#include "common/arrow_status.h"

namespace tradeflow {

Status FromArrow(const arrow::Status& st) {
  if (st.ok()) return Status::OK();
  if (st.IsIOError()) return Status::IOError(st.message());
  if (st.IsKeyError() || st.IsIndexError()) return Status::NotFound(st.message());
  if (st.IsInvalid() || st.IsTypeError() || st.IsNotImplemented()) {
    return Status::Invalid(st.message());
  }
  return Status::Internal(st.ToString());
}

}  // namespace tradeflow
