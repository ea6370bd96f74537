// FIXML Trade Capture Reports (FIX 5.0 SP2 <TrdCaptRpt>, as sent by CME and ICE) as a
// RecordSource. Streaming: expat parses the file chunk by chunk, and memory holds one report
// (plus the bytes of one chunk), whatever the file's size.
//
// Where reports are found: <TrdCaptRpt> as the root element, inside <FIXML>, or many inside
// <FIXML><Batch>. Other messages (a TrdCaptRptAck in a batch, say) are skipped. Namespace
// prefixes on element names are ignored; xmlns attributes are not data.
//
// Field names (paths), for the mapping:
//   TrdCaptRpt@TrdID          an attribute of the report element itself
//   Instrmt@Sym               an attribute of a child of the report: <Element>@<attr>
//   RptSide/Pty[R=17]@ID      deeper elements join with '/'
//   Hdr@SID                   the message header (inside the report, or else the batch's)
//   TrdLeg@LastPx, Leg@MMY    in a multi-leg report: the leg's TrdLeg attributes, and the
//                             elements under its TrdLeg (the Leg instrument, ...) with no prefix
//   Instrmt/Txt               the text content of an element, when it has any
// Some elements are told apart by a key attribute rather than by position:
//   Pty[R=<role>] Sub[Typ=] TrdRegTS[Typ=] MiscFees[Typ=] RegTrdID[Typ=] Stip[Typ=]
// Any other element that occurs again under the same parent gets its 1-based position from the
// second one on: RptSide@Side (the first), RptSide[2]@Side, RptSide[2]/Pty[R=1]@ID. A keyed
// step that repeats does the same: Pty[R=24][2]@ID.
// Attributes of the enclosing elements (FIXML@v, Batch@...) and of a batch-level <Hdr>
// (Hdr@SID, Hdr/Sndr@ID in FIXML 4.4 style) are repeated in every report; the report's own
// element of the same path wins.
// Synthetic fields:
//   package_id   the report's PackageID attribute, else its TrdID (PackageID is tag 2489,
//                added in FIX.5.0SP2 EP192; its FIXML name is the same, on TrdCaptRpt itself)
//   leg_index    1-based leg number in a report with <TrdLeg> elements; "" without legs
//
// Records: one per report; a report with TrdLeg elements gives one record per leg, carrying the
// report-level fields repeated plus that leg's fields (the other legs' are not in it). Values
// are the attribute text as written (entities decoded): exchange-specific codes such as
// RptTyp="101" are passed on as they are. extras = every non-empty field not bound, keyed by its
// path (leg_index included for legs; package_id only when bound). A bound path the report lacks
// gives "". location = "TrdCaptRpt N" or "TrdCaptRpt N leg K" (N counts reports from 1), line =
// where the report starts, raw = the report's XML text as it is in the file.
//
// Malformed XML is fatal to the document: an XML parser cannot resynchronise after a
// well-formedness error. Next() then returns one Invalid "<file>:<line>:<column>: malformed XML
// in TrdCaptRpt N: <expat's message>; ..." for the report being parsed (its records are all
// dropped; raw = its text up to the error, location "TrdCaptRpt N"), and the source ends: the
// next Next() returns false. Reports completed before the error are returned first. A file cut
// short is malformed XML too.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sources/open_input.h"
#include "sources/record_source.h"

namespace tradeflow::sources {

class FixmlSource : public RecordSource {
 public:
  // Opens `path` through OpenInput. With encoding utf-8 the document's own encoding is used: a
  // UTF-16 byte order mark, or the XML declaration's (UTF-8, US-ASCII, UTF-16, ISO-8859-1 and
  // windows-1252 are read; sources/xml_encoding.h); with latin-1 or windows-1252 the bytes are
  // transcoded to UTF-8 and the declaration is overridden. Byte offsets of a transcoded document
  // are offsets in its UTF-8 text; those of a UTF-8 one, the file's (a byte order mark counts).
  // A UTF-8 byte order mark with a declaration that names another encoding fails the file.
  static Result<std::unique_ptr<FixmlSource>> Open(const std::string& path,
                                                   const InputOptions& input);
  // Parses the document in `stream`; `name` is used in messages. With `force_utf8` the bytes
  // are taken as UTF-8 whatever the XML declaration says. `chunk_size`: bytes parsed at a time.
  FixmlSource(std::unique_ptr<InputStream> stream, std::string name, bool force_utf8 = false,
              size_t chunk_size = 64 * 1024);
  ~FixmlSource() override;

  Status Bind(const std::vector<FieldRef>& fields) override;
  Result<bool> Next(SourceRecord* out) override;
  int64_t bytes_read() const override;
  // The bound paths that no report read so far had (an attribute or element present, even
  // empty): most likely misspelt in the mapping.
  std::vector<std::string> FieldsNeverPresent() const override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tradeflow::sources
