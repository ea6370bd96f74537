// Bridges Arrow's Status/Result into ours at the module boundary, keeping Arrow's message.
#pragma once

#include <arrow/result.h>
#include <arrow/status.h>

#include "common/status.h"

namespace tradeflow {

Status FromArrow(const arrow::Status& st);

template <typename T>
Result<T> FromArrow(arrow::Result<T>&& r) {
  if (!r.ok()) return FromArrow(r.status());
  return std::move(r).ValueUnsafe();
}

}  // namespace tradeflow

// TF_RETURN_IF_ERROR for expressions returning arrow::Status.
#define TF_RETURN_IF_ARROW_ERROR(expr)                         \
  do {                                                         \
    ::arrow::Status _tf_ast = (expr);                          \
    if (!_tf_ast.ok()) return ::tradeflow::FromArrow(_tf_ast); \
  } while (false)

// TF_ASSIGN_OR_RETURN for expressions returning arrow::Result<T>.
#define TF_ASSIGN_OR_RETURN_ARROW(lhs, rexpr) \
  TF_ASSIGN_OR_RETURN(lhs, ::tradeflow::FromArrow((rexpr)))
