// ISO 17442 Legal Entity Identifiers: 18 alphanumeric characters followed by two check digits
// computed with ISO 7064 MOD 97-10 (as IBANs): with letters read as 10..35, the whole 20-character
// number is 1 modulo 97.
#pragma once

#include <string_view>

namespace tradeflow::model {

// 20 characters, [A-Z0-9], the last two digits. Lower case is not accepted: the standard and the
// GLEIF register use upper case, and a lower-case LEI will not join with reference data.
bool IsLeiFormat(std::string_view lei);

// MOD 97-10 check digits of a string that passed IsLeiFormat().
bool HasValidLeiCheckDigits(std::string_view lei);

}  // namespace tradeflow::model
