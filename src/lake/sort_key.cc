#include "lake/sort_key.h"

namespace tradeflow::lake {
namespace {

constexpr char kNullFirst = 0;
constexpr char kPresent = 1;
constexpr char kNullLast = 2;

void AppendBigEndian(uint64_t bits, bool descending, std::string* key) {
  if (descending) bits = ~bits;
  for (int shift = 56; shift >= 0; shift -= 8) key->push_back(static_cast<char>(bits >> shift));
}

}  // namespace

void AppendNullSortKey(bool nulls_first, std::string* key) {
  key->push_back(nulls_first ? kNullFirst : kNullLast);
}

void AppendStringSortKey(std::string_view value, bool descending, std::string* key) {
  key->push_back(kPresent);
  const char flip = descending ? '\xFF' : 0;
  for (char c : value) {
    key->push_back(static_cast<char>(c ^ flip));
    if (c == 0) key->push_back(static_cast<char>('\xFF' ^ flip));
  }
  key->push_back(flip);
  key->push_back(flip);
}

void AppendIntSortKey(int64_t value, bool descending, std::string* key) {
  key->push_back(kPresent);
  AppendBigEndian(static_cast<uint64_t>(value) ^ (1ULL << 63), descending, key);
}

void AppendBoolSortKey(bool value, bool descending, std::string* key) {
  key->push_back(kPresent);
  key->push_back(static_cast<char>(value != descending ? 1 : 0));
}

void AppendDecimalSortKey(int64_t high, uint64_t low, bool descending, std::string* key) {
  key->push_back(kPresent);
  AppendBigEndian(static_cast<uint64_t>(high) ^ (1ULL << 63), descending, key);
  AppendBigEndian(low, descending, key);
}

}  // namespace tradeflow::lake
