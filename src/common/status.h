// Status and Result<T>: how expected failures travel in tradeflow.
//
// Bad input, a missing file or a lost commit race are not exceptional: they are returned as a
// Status (or a Result<T> holding either a value or a Status) and carry a message that says what
// failed and where ("trades.csv:17: field trade_date: cannot parse '2024-13-01' as date").
// Callers add context on the way up with WithContext(), so the user sees one line that names the
// whole path. Exceptions are reserved for programming errors.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tradeflow {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the input or configuration is wrong; fix it and re-run
  kNotFound,         // a file, table or reference does not exist
  kAlreadyExists,    // create of something that is there already
  kConflict,         // lost an optimistic-concurrency race (catalog compare-and-swap)
  kIOError,          // the operating system or a library failed to read or write
  kInternal,         // a bug: an invariant of ours does not hold
  kUnavailable,      // a shared resource (the catalog) was busy: nothing changed; retry later
  kCancelled,        // stopped on request (SIGTERM, SIGINT) before committing anything
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status Invalid(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) {
    return {StatusCode::kAlreadyExists, std::move(msg)};
  }
  static Status Conflict(std::string msg) { return {StatusCode::kConflict, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status Cancelled(std::string msg) { return {StatusCode::kCancelled, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>". OK stays OK.
  Status WithContext(std::string_view context) const;

  // "<CodeName>: <message>", or "OK".
  std::string ToString() const;

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design, as arrow::Result
  Result(Status status) : state_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(state_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> state_;
};

namespace internal {
inline Status ToStatus(Status s) { return s; }
template <typename T>
Status ToStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace tradeflow

#define TF_CONCAT_IMPL(a, b) a##b
#define TF_CONCAT(a, b) TF_CONCAT_IMPL(a, b)

// Returns the Status of `expr` from the enclosing function unless it is OK.
#define TF_RETURN_IF_ERROR(expr)                                          \
  do {                                                                    \
    ::tradeflow::Status _tf_st = ::tradeflow::internal::ToStatus((expr)); \
    if (!_tf_st.ok()) return _tf_st;                                      \
  } while (false)

#define TF_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                             \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

// `TF_ASSIGN_OR_RETURN(auto x, F())`: x = F().value(), or return F()'s error.
#define TF_ASSIGN_OR_RETURN(lhs, rexpr) \
  TF_ASSIGN_OR_RETURN_IMPL(TF_CONCAT(_tf_result_, __LINE__), lhs, rexpr)
