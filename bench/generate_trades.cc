// Generates realistic synthetic ETRM trade exports: futures, options, swaps and physical
// forwards across oil, gas, power and metals, with amendments and cancellations as later
// versions of the same deal. Deterministic for a given seed, so examples and benchmarks are
// reproducible. Output is streamed row by row: memory does not grow with --rows.
//
//   tradeflow-generate --rows 300 --seed 7 -o examples/etrm_trades.csv        (CSV, the default)
//   tradeflow-generate --rows 1000000 --format jsonl -o trades.jsonl
//   tradeflow-generate --rows 1000000 --format fixml -o trades.fixml
//   tradeflow-generate --rows 1000000 --error-rate 0.02 -o dirty.csv
//
// Formats carry the same information for each trade version:
//   csv    the ETRM export (48 columns, CRLF, RFC 4180 quoting). Byte-identical for a given seed
//          and --rows whatever else changes here: examples/etrm_trades.csv is --rows 300 --seed 7.
//   jsonl  one nested JSON object per trade version (parties, product, quantity, price, swap,
//          option, delivery, fee objects; numbers as JSON numbers with the CSV's exact text;
//          empty values left out).
//   fixml  FIX 5.0 SP2 <FIXML><Batch><TrdCaptRpt .../>...</Batch></FIXML>: Instrmt, RptSide
//          with Pty R=... parties, Stip for delivery terms; swaps are multi-leg reports
//          (MLegRptTyp=3, a fixed and a floating TrdLeg).
//
// --error-rate R (default 0: clean data, no extra random draws) spoils about R of the trade
// versions with one data-quality fault each, drawn from a separate random stream so the clean
// rows are the same as without it: a bad LEI check digit, an unknown counterparty, an unknown
// or missing book, a zero or negative quantity, lots x contract size not matching the quantity,
// dates out of order (delivery/pricing period, option expiry before the trade date, missing
// trade date), an unknown buy/sell value, an incomplete option or unknown commodity, or the
// version just written sent again under another trader (an extra row: the same version with
// different content, not a replay). Each one breaks a built-in validation rule of
// docs/validation.md, so a validating pipeline quarantines exactly those rows.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Product {
  const char* commodity;
  const char* asset_class;
  const char* group;
  const char* exchange;
  const char* code;
  const char* unit;
  int contract_size;
  const char* currency;
  double low, high;   // price range
  const char* index;  // floating index for swaps
  const char* tz_offset;
  bool power_or_gas;
};

const Product kProducts[] = {
    {"BRENT", "Energy", "Oil", "IFEU", "B", "bbl", 1000, "USD", 62, 94, "PLATTS_DATED_BRENT",
     "+01:00", false},
    {"WTI", "Energy", "Oil", "XNYM", "CL", "bbl", 1000, "USD", 58, 90, "NYMEX_WTI_1ST", "-04:00",
     false},
    {"HH_NG", "Energy", "Gas", "XNYM", "NG", "MMBtu", 10000, "USD", 2.1, 5.9, "NYMEX_HH_LD",
     "-04:00", true},
    {"TTF", "Energy", "Gas", "NDEX", "TFM", "MWh", 1, "EUR", 24, 48, "ICIS_HEREN_TTF_MA", "+02:00",
     true},
    {"DE_POWER_BASE", "Energy", "Power", "XEEE", "DEBM", "MWh", 1, "EUR", 55, 120,
     "EEX_PHELIX_DE_BASE", "+02:00", true},
    {"COPPER", "Metals", "Base", "XLME", "CA", "MT", 25, "USD", 8400, 10200, "LME_CU_CASH",
     "+01:00", false},
    {"ALUMINIUM", "Metals", "Base", "XLME", "AH", "MT", 25, "USD", 2150, 2650, "LME_AL_CASH",
     "+01:00", false},
    {"GOLD", "Metals", "Precious", "XCEC", "GC", "ozt", 100, "USD", 1950, 2450, "LBMA_GOLD_PM",
     "-04:00", false},
};

struct Counterparty {
  std::string id, name, lei;
};

// ISO 17442: two check digits making the 20-character LEI ≡ 1 (mod 97), letters as 10..35.
std::string WithLeiCheckDigits(const std::string& base18) {
  int remainder = 0;
  auto feed = [&](char c) {
    std::string digits = std::isdigit(static_cast<unsigned char>(c)) ? std::string(1, c)
                                                                     : std::to_string(c - 'A' + 10);
    for (char d : digits) remainder = (remainder * 10 + (d - '0')) % 97;
  };
  for (char c : base18) feed(c);
  feed('0');
  feed('0');
  int check = 98 - remainder;
  return base18 + static_cast<char>('0' + check / 10) + static_cast<char>('0' + check % 10);
}

enum class Format { kCsv, kJsonl, kFixml };

// Column positions in a row (the CSV header order).
enum Col {
  kDeal,
  kTran,
  kVersion,
  kStatus,
  kTradeDate,
  kExecTime,
  kInternalEntity,
  kInternalLei,
  kInternalBunit,
  kBook,
  kPortfolio,
  kStrategy,
  kTrader,
  kCptyId,
  kCptyName,
  kCptyLei,
  kBroker,
  kBuySell,
  kToolset,
  kAssetClass,
  kGroup,
  kCommodity,
  kExchange,
  kProductCode,
  kContractMonth,
  kSettlement,
  kQuantity,
  kQuantityUnit,
  kFrequency,
  kLots,
  kContractSize,
  kPrice,
  kPriceCurrency,
  kPriceUnit,
  kFloatIndex,
  kFloatSpread,
  kPutCall,
  kStrike,
  kExpiry,
  kPremium,
  kDeliveryStart,
  kDeliveryEnd,
  kDeliveryLocation,
  kIncoterm,
  kUti,
  kBrokerFee,
  kFeeCurrency,
  kComment,
  kColumns
};

class Generator {
 public:
  Generator(uint64_t seed, Format format, double error_rate)
      : rng_(seed),
        format_(format),
        error_rate_(error_rate),
        err_rng_(seed ^ 0x9E3779B97F4A7C15ULL) {
    const char* names[] = {"Northsea Energy Trading Ltd", "Rhine Power AG",
                           "Gulf Coast Refining LLC",     "Andes Copper SA",
                           "Baltic Gas Supply AB",        "Pacific Metals Pte Ltd",
                           "Atlas Commodities SA",        "Meridian Oil Corp",
                           "Helvetia Metals AG",          "Prairie Gas Marketing LP",
                           "Iberia Renewables SL",        "Yukon Bullion Inc"};
    for (int i = 0; i < 12; ++i) {
      std::string base = "5493" + Alnum(14);
      cpties_.push_back({"CP" + std::to_string(1001 + i), names[i], WithLeiCheckDigits(base)});
    }
  }

  void Header(std::ostream& out) {
    if (format_ == Format::kJsonl) return;
    if (format_ == Format::kFixml) {
      out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<FIXML xmlns=\"http://www.fixprotocol.org/FIXML-5-0-SP2\" v=\"5.0 SP2\">\n"
             "<Batch>\n";
      return;
    }
    out << "deal_num,tran_num,version,tran_status,trade_date,exec_time,internal_lentity,"
           "internal_lei,internal_bunit,book,portfolio,strategy,trader,cpty_id,cpty_name,"
           "cpty_lei,broker,buy_sell,toolset,asset_class,commodity_group,commodity,exchange,"
           "product_code,contract_month,settlement,quantity,quantity_unit,quantity_frequency,"
           "lots,contract_size,price,price_currency,price_unit,float_index,float_spread,put_call,"
           "strike,expiry_date,premium,delivery_start,delivery_end,delivery_location,incoterm,uti,"
           "broker_fee,fee_currency,comment\r\n";
  }

  void Footer(std::ostream& out) {
    if (format_ == Format::kFixml) out << "</Batch>\n</FIXML>\n";
  }

  // One deal with 1-3 versions; returns the rows written (a duplicate counts).
  int Deal(std::ostream& out, int deal_index, int remaining) {
    const Product& p = kProducts[Pick(std::size(kProducts))];
    const char* toolsets[] = {"Future", "Option", "Swap", "PhysForward"};
    std::string toolset = toolsets[Pick(4)];
    if (toolset == "PhysForward" && std::string(p.group) == "Precious") toolset = "Future";
    int month = 4 + static_cast<int>(Pick(2));
    int day = 1 + static_cast<int>(Pick(28));
    Row r;
    r.deal = std::to_string(100000 + deal_index);
    r.toolset = toolset;
    r.product = &p;
    r.trade_date = Date(2026, month, day);
    r.exec_time = r.trade_date + "T" + Two(7 + Pick(10)) + ":" + Two(Pick(60)) + ":" +
                  Two(Pick(60)) + "." + Three(Pick(1000)) + p.tz_offset;
    r.cpty = &cpties_[Pick(cpties_.size())];
    r.buy_sell = Pick(2) ? "Buy" : "Sell";
    int delivery_month = month + 1 + static_cast<int>(Pick(6));
    int dy = 2026 + (delivery_month - 1) / 12;
    int dm = (delivery_month - 1) % 12 + 1;
    r.contract_month = std::to_string(dy) + "-" + Two(dm);
    r.lots = 1 + static_cast<int>(Pick(50));
    r.price = Price(p);
    r.book = std::string(p.group) == "Oil" ? "CRUDE-LDN"
             : std::string(p.group) == "Gas"
                 ? (std::string(p.currency) == "USD" ? "GAS-US" : "GAS-EU")
             : std::string(p.group) == "Power" ? "POWER-DE"
                                               : "METALS-LDN";
    int versions = remaining > 2 && Pick(5) == 0 ? 2 + static_cast<int>(Pick(2)) : 1;
    int written = 0;
    for (int v = 1; v <= versions; ++v) {
      r.version = v;
      r.status = v == 1 ? "NEW" : (v == 3 || Pick(3) == 0) ? "CANCELLED" : "AMENDED";
      if (v > 1 && r.status == "AMENDED") r.lots += 1 + static_cast<int>(Pick(5));
      written += Write(out, r);
      if (r.status == "CANCELLED") return written;
    }
    return written;
  }

 private:
  struct Row {
    std::string deal, toolset, trade_date, exec_time, buy_sell, contract_month, status, book;
    const Product* product;
    const Counterparty* cpty;
    int version = 1, lots = 1;
    std::string price;
  };

  uint64_t Pick(uint64_t n) { return rng_() % n; }
  std::string Two(uint64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); }
  std::string Three(uint64_t v) {
    return v < 10    ? "00" + std::to_string(v)
           : v < 100 ? "0" + std::to_string(v)
                     : std::to_string(v);
  }
  std::string Date(int y, int m, int d) { return std::to_string(y) + "-" + Two(m) + "-" + Two(d); }
  std::string Alnum(int n) {
    static const char* k = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(k[Pick(36)]);
    return s;
  }
  std::string Price(const Product& p) {
    double span = p.high - p.low;
    double v = p.low + span * static_cast<double>(Pick(100000)) / 100000.0;
    char buf[32];
    std::snprintf(buf, sizeof buf, p.high < 10 ? "%.4f" : p.high < 200 ? "%.2f" : "%.1f", v);
    return buf;
  }
  static std::string Csv(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
      if (c == '"') out += '"';
      out += c;
    }
    return out + "\"";
  }

  // Draws the row's values (in a fixed order: the CSV must not change for a seed) and writes
  // them; returns the rows written (2 when a duplicate was injected).
  int Write(std::ostream& out, const Row& r) {
    const Product& p = *r.product;
    bool listed = r.toolset == "Future" || r.toolset == "Option";
    bool physical = r.toolset == "PhysForward";
    std::vector<std::string> f;
    f.push_back(r.deal);
    f.push_back(std::to_string(5000000 + tran_++));
    f.push_back(std::to_string(r.version));
    f.push_back(r.status);
    f.push_back(r.trade_date);
    f.push_back(r.exec_time);
    f.push_back("TRADEFLOW COMMODITIES SA");
    f.push_back(WithLeiCheckDigits("529900TFCOMMOD0001"));
    f.push_back("TFC TRADING");
    f.push_back(r.book);
    f.push_back(std::string(p.asset_class) == "Energy" ? "ENERGY-EU" : "METALS");
    f.push_back(r.toolset == "Swap" ? "HEDGE" : "DIRECTIONAL");
    const char* traders[] = {"jsmith", "amuller", "kdubois", "rtanaka"};
    f.push_back(traders[Pick(4)]);
    f.push_back(r.cpty->id);
    f.push_back(r.cpty->name);
    f.push_back(r.cpty->lei);
    f.push_back(listed ? (Pick(2) ? "Marex" : "StoneX") : "");
    f.push_back(r.buy_sell);
    f.push_back(r.toolset);
    f.push_back(p.asset_class);
    f.push_back(p.group);
    f.push_back(p.commodity);
    f.push_back(listed ? p.exchange : "");
    f.push_back(listed ? p.code : "");
    f.push_back(r.contract_month);
    f.push_back(physical ? "Physical" : "Cash");
    int qty = r.lots * p.contract_size;
    std::string frequency = "Term";
    if (!listed) {
      qty = p.power_or_gas ? 10 * r.lots : r.lots * p.contract_size;
      if (p.power_or_gas) frequency = "Daily";
    }
    f.push_back(std::to_string(qty));
    f.push_back(p.unit);
    f.push_back(frequency);
    f.push_back(listed ? std::to_string(r.lots) : "");
    f.push_back(listed ? std::to_string(p.contract_size) : "");
    f.push_back(r.toolset == "Option" ? "" : r.price);
    f.push_back(p.currency);
    f.push_back(p.unit);
    f.push_back(r.toolset == "Swap" ? p.index : "");
    f.push_back(r.toolset == "Swap" ? (Pick(2) ? "0" : "0.25") : "");
    bool option = r.toolset == "Option";
    f.push_back(option ? (Pick(2) ? "Call" : "Put") : "");
    f.push_back(option ? r.price : "");
    f.push_back(option ? r.contract_month + "-15" : "");
    f.push_back(option ? std::to_string(1 + Pick(5)) + "." + Two(Pick(100)) : "");
    std::string dm = r.contract_month;
    f.push_back(physical || r.toolset == "Swap" ? dm + "-01" : "");
    f.push_back(physical || r.toolset == "Swap" ? dm + "-28" : "");
    const char* location = std::string(p.group) == "Oil"     ? "NLRTM"
                           : std::string(p.group) == "Gas"   ? "21Z000000000003C"
                           : std::string(p.group) == "Power" ? "10Y1001A1001A82H"
                                                             : "LME-ROTTERDAM";
    f.push_back(physical ? location : "");
    f.push_back(physical && std::string(p.group) == "Oil" ? (Pick(2) ? "FOB" : "CIF") : "");
    f.push_back(listed ? "" : "E02TFC" + r.deal + "V" + std::to_string(r.version));
    f.push_back(listed ? std::to_string(r.lots * 2) + ".50" : "");
    f.push_back(listed ? "USD" : "");
    f.push_back(Pick(8) == 0 ? "booked late, see email \"re: " + r.deal + "\"" : "");
    bool duplicate = error_rate_ > 0 && Spoil(&f);
    Emit(out, f);
    if (duplicate) {
      // Changed content: an identical copy would be a replay, which is stored once, not rejected.
      f[kTrader] += "2";
      Emit(out, f);
    }
    return duplicate ? 2 : 1;
  }

  void Emit(std::ostream& out, const std::vector<std::string>& f) {
    switch (format_) {
      case Format::kCsv:
        for (size_t i = 0; i < f.size(); ++i) out << (i ? "," : "") << Csv(f[i]);
        out << "\r\n";
        break;
      case Format::kJsonl:
        EmitJson(out, f);
        break;
      case Format::kFixml:
        EmitFixml(out, f);
        break;
    }
  }

  // With probability error_rate_, one fault in the row; true when the row is to be repeated.
  bool Spoil(std::vector<std::string>* row) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    if (u(err_rng_) >= error_rate_) return false;
    std::vector<std::string>& f = *row;
    const std::string& toolset = f[kToolset];
    bool listed = toolset == "Future" || toolset == "Option";
    switch (err_rng_() % 10) {
      case 0: {  // lei_check_digits
        char& last = f[kCptyLei].back();
        last = static_cast<char>('0' + (last - '0' + 1) % 10);
        break;
      }
      case 1:  // known_counterparty
        f[kCptyId] = "CP9" + std::to_string(100 + err_rng_() % 900);
        break;
      case 2:  // known_book
        f[kBook] = "BOOK-ZZ";
        break;
      case 3:  // required_book
        f[kBook] = "";
        break;
      case 4:  // positive_quantity
        f[kQuantity] = "0";
        break;
      case 5:  // lots_times_contract_size (listed) / positive_quantity (OTC)
        if (listed) {
          f[kLots] = std::to_string(std::stoi(f[kLots]) + 1);
        } else {
          f[kQuantity] = "-" + f[kQuantity];
        }
        break;
      case 6:  // delivery_dates_order / pricing_period_order / option expiry / trade date
        if (toolset == "PhysForward" || toolset == "Swap") {
          std::swap(f[kDeliveryStart], f[kDeliveryEnd]);
        } else if (toolset == "Option") {
          f[kExpiry] = "2026-01-15";
        } else {
          f[kTradeDate] = "";
        }
        break;
      case 7:  // known_enum_values
        f[kBuySell] = "Hold";
        break;
      case 8:  // unique_version
        return true;
      default:  // option_terms_complete + required_price / known_product
        if (toolset == "Option") {
          f[kStrike] = "";
        } else {
          f[kCommodity] = "UNOBTAINIUM";
        }
        break;
    }
    return false;
  }

  static void JsonString(std::ostream& out, const std::string& s) {
    out << '"';
    for (char c : s) {
      switch (c) {
        case '"':
          out << "\\\"";
          break;
        case '\\':
          out << "\\\\";
          break;
        case '\n':
          out << "\\n";
          break;
        case '\r':
          out << "\\r";
          break;
        case '\t':
          out << "\\t";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out << buf;
          } else {
            out << c;
          }
      }
    }
    out << '"';
  }

  // A JSON object written member by member; empty values are left out, and so is an object
  // with no member.
  class JsonObject {
   public:
    explicit JsonObject(std::ostream& out) : out_(out) {}
    void Str(const char* key, const std::string& v) {
      if (v.empty()) return;
      Key(key);
      JsonString(out_, v);
    }
    void Num(const char* key, const std::string& v) {  // exact text of a plain number
      if (v.empty()) return;
      Key(key);
      out_ << v;
    }
    // Nested object: `fill(JsonObject&)` adds its members; written only if it has any.
    template <typename F>
    void Obj(const char* key, F fill) {
      std::ostringstream inner;
      JsonObject o(inner);
      fill(o);
      if (o.empty()) return;
      Key(key);
      out_ << inner.str() << '}';
    }
    bool empty() const { return first_; }
    void Close() { out_ << (first_ ? "{}" : "}"); }

   private:
    void Key(const char* key) {
      out_ << (first_ ? "{" : ",");
      first_ = false;
      JsonString(out_, key);
      out_ << ':';
    }
    std::ostream& out_;
    bool first_ = true;
  };

  static void EmitJson(std::ostream& out, const std::vector<std::string>& f) {
    std::ostringstream line;
    JsonObject o(line);
    o.Num("deal_num", f[kDeal]);
    o.Num("tran_num", f[kTran]);
    o.Num("version", f[kVersion]);
    o.Str("status", f[kStatus]);
    o.Str("trade_date", f[kTradeDate]);
    o.Str("exec_time", f[kExecTime]);
    o.Obj("internal", [&](JsonObject& i) {
      i.Str("legal_entity", f[kInternalEntity]);
      i.Str("lei", f[kInternalLei]);
      i.Str("business_unit", f[kInternalBunit]);
      i.Str("book", f[kBook]);
      i.Str("portfolio", f[kPortfolio]);
      i.Str("strategy", f[kStrategy]);
      i.Str("trader", f[kTrader]);
    });
    o.Obj("counterparty", [&](JsonObject& c) {
      c.Str("id", f[kCptyId]);
      c.Str("name", f[kCptyName]);
      c.Str("lei", f[kCptyLei]);
    });
    o.Str("broker", f[kBroker]);
    o.Str("side", f[kBuySell]);
    o.Obj("product", [&](JsonObject& p) {
      p.Str("toolset", f[kToolset]);
      p.Str("asset_class", f[kAssetClass]);
      p.Str("group", f[kGroup]);
      p.Str("commodity", f[kCommodity]);
      p.Str("exchange", f[kExchange]);
      p.Str("code", f[kProductCode]);
      p.Str("contract_month", f[kContractMonth]);
      p.Str("settlement", f[kSettlement]);
    });
    o.Obj("quantity", [&](JsonObject& q) {
      q.Num("value", f[kQuantity]);
      q.Str("unit", f[kQuantityUnit]);
      q.Str("frequency", f[kFrequency]);
      q.Num("lots", f[kLots]);
      q.Num("contract_size", f[kContractSize]);
    });
    o.Obj("price", [&](JsonObject& p) {
      p.Num("value", f[kPrice]);
      p.Str("currency", f[kPriceCurrency]);
      p.Str("unit", f[kPriceUnit]);
    });
    o.Obj("swap", [&](JsonObject& s) {
      s.Str("float_index", f[kFloatIndex]);
      s.Num("spread", f[kFloatSpread]);
    });
    o.Obj("option", [&](JsonObject& p) {
      p.Str("put_call", f[kPutCall]);
      p.Num("strike", f[kStrike]);
      p.Str("expiry_date", f[kExpiry]);
      p.Num("premium", f[kPremium]);
    });
    o.Obj("delivery", [&](JsonObject& d) {
      d.Str("start", f[kDeliveryStart]);
      d.Str("end", f[kDeliveryEnd]);
      d.Str("location", f[kDeliveryLocation]);
      d.Str("incoterm", f[kIncoterm]);
    });
    o.Str("uti", f[kUti]);
    o.Obj("fee", [&](JsonObject& e) {
      e.Num("amount", f[kBrokerFee]);
      e.Str("currency", f[kFeeCurrency]);
    });
    o.Str("comment", f[kComment]);
    o.Close();
    out << line.str() << '\n';
  }

  static std::string Xml(const std::string& s) {
    std::string out;
    for (char c : s) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        default:
          out += c;
      }
    }
    return out;
  }

  // ` name="value"`, or nothing for an empty value.
  static std::string Attr(const char* name, const std::string& v) {
    return v.empty() ? std::string() : std::string(" ") + name + "=\"" + Xml(v) + "\"";
  }

  static std::string NoDashes(std::string s) {
    s.erase(std::remove(s.begin(), s.end(), '-'), s.end());
    return s;
  }

  // One <TrdCaptRpt>. Listed trades: LastQty in lots, Instrmt@UOMQty the contract size, LastPx
  // the price (options: the premium, with StrkPx). Swaps: a multi-leg report with a fixed and a
  // floating leg. The total quantity, its frequency and the delivery terms are Stip elements.
  static void EmitFixml(std::ostream& out, const std::vector<std::string>& f) {
    const std::string& toolset = f[kToolset];
    bool listed = toolset == "Future" || toolset == "Option";
    bool option = toolset == "Option";
    bool swap = toolset == "Swap";
    std::string side = f[kBuySell] == "Buy" ? "1" : f[kBuySell] == "Sell" ? "2" : f[kBuySell];
    std::string other = side == "1" ? "2" : side == "2" ? "1" : side;
    std::string trans = f[kStatus] == "NEW"         ? "0"
                        : f[kStatus] == "AMENDED"   ? "2"
                        : f[kStatus] == "CANCELLED" ? "1"
                                                    : f[kStatus];
    std::string sec_type = toolset == "Future" ? "FUT" : option ? "OOF" : swap ? "SWAPS" : "FWD";
    std::ostringstream x;
    x << "<TrdCaptRpt" << Attr("RptID", f[kTran]) << Attr("TrdID", f[kDeal])
      << Attr("TrdVer", f[kVersion]) << Attr("TransTyp", trans) << " RptTyp=\"0\""
      << Attr("TrdDt", f[kTradeDate]) << Attr("TxnTm", f[kExecTime])
      << Attr("LastQty", listed ? f[kLots] : f[kQuantity])
      << Attr("LastPx", option ? f[kPremium] : f[kPrice]) << Attr("Ccy", f[kPriceCurrency])
      << Attr("MLegRptTyp", swap ? "3" : "1") << Attr("Txt", f[kComment]) << ">\n";
    x << "  <Hdr SID=\"ENDUR\"/>\n";
    x << "  <Instrmt" << Attr("Sym", f[kCommodity]) << Attr("ID", f[kProductCode])
      << Attr("Src", listed ? "H" : "") << Attr("Exch", f[kExchange]) << Attr("SecTyp", sec_type)
      << Attr("MMY", NoDashes(f[kContractMonth]))
      << Attr("SettlMeth", f[kSettlement] == "Cash" ? "C" : "P") << " AssetClss=\"2\""
      << Attr("AssetTyp", f[kAssetClass]) << Attr("AssetSubTyp", f[kGroup])
      << Attr("UOM", f[kQuantityUnit]) << Attr("UOMQty", f[kContractSize])
      << Attr("PxUOM", f[kPriceUnit])
      << Attr("PutCall", f[kPutCall] == "Call"  ? "1"
                         : f[kPutCall] == "Put" ? "0"
                                                : f[kPutCall])
      << Attr("StrkPx", f[kStrike]) << Attr("StrkCcy", option ? f[kPriceCurrency] : "")
      << Attr("MatDt", f[kExpiry]) << "/>\n";
    // The total quantity only where it is the quantity itself: a per-day or per-hour quantity's
    // total depends on the delivery period's days and hours, which tradeflow computes.
    if (f[kFrequency] == "Term") {
      x << "  <Stip Typ=\"TOTQTY\"" << Attr("Val", f[kQuantity]) << "/>\n";
    }
    x << "  <Stip Typ=\"QTYFREQ\"" << Attr("Val", f[kFrequency]) << "/>\n";
    if (!f[kDeliveryStart].empty() || !f[kDeliveryEnd].empty()) {
      x << "  <Stip Typ=\"DLVYSTART\"" << Attr("Val", f[kDeliveryStart]) << "/>\n";
      x << "  <Stip Typ=\"DLVYEND\"" << Attr("Val", f[kDeliveryEnd]) << "/>\n";
    }
    if (!f[kDeliveryLocation].empty())
      x << "  <Stip Typ=\"DLVYLOC\"" << Attr("Val", f[kDeliveryLocation]) << "/>\n";
    if (!f[kIncoterm].empty())
      x << "  <Stip Typ=\"INCOTERM\"" << Attr("Val", f[kIncoterm]) << "/>\n";
    if (!f[kUti].empty()) x << "  <RegTrdID Typ=\"0\" Src=\"UTI\"" << Attr("ID", f[kUti]) << "/>\n";
    x << "  <RptSide" << Attr("Side", side) << ">\n";
    x << "    <Pty" << Attr("ID", f[kInternalLei]) << " Src=\"N\" R=\"1\">"
      << "<Sub" << Attr("ID", f[kInternalEntity]) << " Typ=\"5\"/>"
      << "<Sub" << Attr("ID", f[kInternalBunit]) << " Typ=\"4000\"/></Pty>\n";
    x << "    <Pty" << Attr("ID", f[kBook]) << " Src=\"D\" R=\"38\">"
      << "<Sub" << Attr("ID", f[kPortfolio]) << " Typ=\"4001\"/>"
      << "<Sub" << Attr("ID", f[kStrategy]) << " Typ=\"4002\"/></Pty>\n";
    x << "    <Pty" << Attr("ID", f[kTrader]) << " Src=\"D\" R=\"12\"/>\n";
    x << "    <Pty" << Attr("ID", f[kCptyId]) << " Src=\"D\" R=\"17\">"
      << "<Sub" << Attr("ID", f[kCptyName]) << " Typ=\"5\"/>"
      << "<PtyAltID" << Attr("AltID", f[kCptyLei]) << " AltIDSrc=\"N\"/></Pty>\n";
    if (!f[kBroker].empty()) x << "    <Pty" << Attr("ID", f[kBroker]) << " Src=\"D\" R=\"4\"/>\n";
    if (!f[kBrokerFee].empty()) {
      x << "    <MiscFees" << Attr("Amt", f[kBrokerFee]) << Attr("Ccy", f[kFeeCurrency])
        << " Typ=\"12\"/>\n";
    }
    x << "  </RptSide>\n";
    if (swap) {
      x << "  <TrdLeg LegNo=\"1\"" << Attr("Side", side) << Attr("Qty", f[kQuantity])
        << Attr("LastPx", f[kPrice]) << "><Leg" << Attr("Sym", f[kCommodity]) << " SecTyp=\"FXD\""
        << Attr("Ccy", f[kPriceCurrency]) << Attr("UOM", f[kQuantityUnit]) << "/></TrdLeg>\n";
      x << "  <TrdLeg LegNo=\"2\"" << Attr("Side", other) << Attr("Qty", f[kQuantity])
        << Attr("Spread", f[kFloatSpread]) << "><Leg" << Attr("Sym", f[kFloatIndex])
        << " SecTyp=\"FLT\"" << Attr("Ccy", f[kPriceCurrency]) << Attr("UOM", f[kQuantityUnit])
        << "/></TrdLeg>\n";
    }
    x << "</TrdCaptRpt>\n";
    out << x.str();
  }

  std::mt19937_64 rng_;
  Format format_;
  double error_rate_;
  std::mt19937_64 err_rng_;  // faults only: the clean rows do not depend on --error-rate
  std::vector<Counterparty> cpties_;
  int tran_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Generate a synthetic ETRM trade export (CSV, JSON Lines or FIXML)"};
  int64_t rows = 300;
  uint64_t seed = 7;
  std::string format_name = "csv";
  double error_rate = 0;
  std::string output;
  app.add_option("--rows", rows, "number of rows (trade versions), any size: output is streamed")
      ->capture_default_str();
  app.add_option("--seed", seed, "random seed")->capture_default_str();
  app.add_option("--format", format_name, "csv, jsonl or fixml")
      ->check(CLI::IsMember({"csv", "jsonl", "fixml"}))
      ->capture_default_str();
  app.add_option("--error-rate", error_rate,
                 "share of trade versions given one data-quality fault (0 = clean)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("-o,--output", output, "output file (default: stdout)");
  CLI11_PARSE(app, argc, argv);
  Format format = format_name == "jsonl"   ? Format::kJsonl
                  : format_name == "fixml" ? Format::kFixml
                                           : Format::kCsv;

  std::ofstream file;
  std::unique_ptr<char[]> buffer(new char[1 << 20]);
  if (!output.empty()) {
    file.rdbuf()->pubsetbuf(buffer.get(), 1 << 20);
    file.open(output, std::ios::binary);
    if (!file) {
      std::cerr << "cannot write " << output << "\n";
      return 1;
    }
  }
  std::ostream& out = output.empty() ? std::cout : file;
  Generator gen(seed, format, error_rate);
  gen.Header(out);
  int64_t written = 0;
  for (int64_t deal = 1; written < rows; ++deal) {
    int64_t remaining = rows - written;
    written +=
        gen.Deal(out, static_cast<int>(deal), remaining > 3 ? 3 : static_cast<int>(remaining));
  }
  gen.Footer(out);
  out.flush();
  if (!out) {
    std::cerr << "write failed\n";
    return 1;
  }
  return 0;
}
