// Generates realistic synthetic ETRM trade exports: futures, options, swaps and physical
// forwards across oil, gas, power and metals, with amendments and cancellations as later
// versions of the same deal. Deterministic for a given seed, so examples and benchmarks are
// reproducible.
//
//   tradeflow-generate --trades 300 --seed 7 -o examples/etrm_trades.csv
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
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

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {
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
    out << "deal_num,tran_num,version,tran_status,trade_date,exec_time,internal_lentity,"
           "internal_lei,internal_bunit,book,portfolio,strategy,trader,cpty_id,cpty_name,"
           "cpty_lei,broker,buy_sell,toolset,asset_class,commodity_group,commodity,exchange,"
           "product_code,contract_month,settlement,quantity,quantity_unit,quantity_frequency,"
           "lots,contract_size,price,price_currency,price_unit,float_index,float_spread,put_call,"
           "strike,expiry_date,premium,delivery_start,delivery_end,delivery_location,incoterm,uti,"
           "broker_fee,fee_currency,comment\r\n";
  }

  // One deal with 1-3 versions.
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
    for (int v = 1; v <= versions; ++v) {
      r.version = v;
      r.status = v == 1 ? "NEW" : (v == 3 || Pick(3) == 0) ? "CANCELLED" : "AMENDED";
      if (v > 1 && r.status == "AMENDED") r.lots += 1 + static_cast<int>(Pick(5));
      Write(out, r);
      if (r.status == "CANCELLED") return v;
    }
    return versions;
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

  void Write(std::ostream& out, const Row& r) {
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
    for (size_t i = 0; i < f.size(); ++i) out << (i ? "," : "") << Csv(f[i]);
    out << "\r\n";
  }

  std::mt19937_64 rng_;
  std::vector<Counterparty> cpties_;
  int tran_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Generate a synthetic ETRM trade export (CSV)"};
  int64_t rows = 300;
  uint64_t seed = 7;
  std::string output;
  app.add_option("--rows", rows, "number of rows (trade versions)")->capture_default_str();
  app.add_option("--seed", seed, "random seed")->capture_default_str();
  app.add_option("-o,--output", output, "output file (default: stdout)");
  CLI11_PARSE(app, argc, argv);

  std::ofstream file;
  if (!output.empty()) {
    file.open(output, std::ios::binary);
    if (!file) {
      std::cerr << "cannot write " << output << "\n";
      return 1;
    }
  }
  std::ostream& out = output.empty() ? std::cout : file;
  Generator gen(seed);
  gen.Header(out);
  int64_t written = 0;
  for (int deal = 1; written < rows; ++deal) {
    written += gen.Deal(out, deal, static_cast<int>(rows - written));
  }
  return 0;
}
