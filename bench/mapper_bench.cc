// Micro-benchmark of transform::Mapper::Map on a real mapping and real records.
//
//   tradeflow-mapper-bench <pipeline.yaml> <input file> [--records=N] [benchmark flags]
//
// The pipeline's mapping is compiled with its reference data (paths resolved against the pipeline
// file, as in a run); the first N records of the input (default 20000) are read into memory once,
// through the pipeline's source, and then mapped over and over. The record is cleared before each
// Map, as the run's AsyncWriter does when it hands out a slot, so the time per record includes
// that Clear. Example, from the repository root:
//
//   build/bin/tradeflow-generate --rows 200000 --seed 7 -o /tmp/trades.csv
//   build/bin/tradeflow-mapper-bench bench/pipelines/bench_csv.yaml /tmp/trades.csv
//
// --dump=FILE maps each record once and writes every result (error, issues, the message as
// text) to FILE instead of timing anything: two builds that should behave the same must write
// the same file.
#include <benchmark/benchmark.h>
#include <google/protobuf/text_format.h>

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "pipeline/pipeline_config.h"
#include "pipeline/reference_loader.h"
#include "pipeline/source_config.h"
#include "sources/record_source.h"
#include "transform/mapper.h"

namespace {

using tradeflow::Status;
using tradeflow::pipeline::LoadedReference;
using tradeflow::trade::v1::TradeEvent;
using tradeflow::transform::Mapper;
using tradeflow::transform::MappingIssue;
using tradeflow::transform::RecordContext;

struct Workload {
  std::unique_ptr<LoadedReference> reference;
  std::unique_ptr<Mapper> mapper;
  std::vector<tradeflow::sources::SourceRecord> records;
};

Workload* workload = nullptr;

Status Load(const std::string& pipeline_file, const std::string& input, size_t max_records,
            Workload* out) {
  TF_ASSIGN_OR_RETURN(auto config, tradeflow::pipeline::LoadPipelineConfig(pipeline_file));
  if (!config.reference.tables.empty()) {
    TF_ASSIGN_OR_RETURN(auto reference, tradeflow::pipeline::LoadReferenceData(config.reference));
    out->reference = std::make_unique<LoadedReference>(std::move(reference));
  }
  TF_ASSIGN_OR_RETURN(out->mapper,
                      Mapper::Compile(config.mapping, TradeEvent::descriptor(),
                                      out->reference ? &out->reference->data : nullptr));
  TF_ASSIGN_OR_RETURN(auto source, tradeflow::pipeline::OpenSource(config.source, input));
  std::vector<tradeflow::sources::FieldRef> fields;
  for (const auto& f : out->mapper->source_fields()) fields.push_back({f.name, f.where});
  TF_RETURN_IF_ERROR(source->Bind(fields));
  while (out->records.size() < max_records) {
    tradeflow::sources::SourceRecord record;
    TF_ASSIGN_OR_RETURN(bool more, source->Next(&record));
    if (!more) break;
    out->records.push_back(std::move(record));
  }
  if (out->records.empty()) return Status::Invalid(input + ": no records");
  return Status::OK();
}

// Maps every record once per round; records that fail to map are counted, as the run would
// quarantine them, but still cost their time.
void BM_Map(benchmark::State& state) {
  const Mapper& mapper = *workload->mapper;
  RecordContext context{"file:///bench.csv", "0123", "", "run", 1700000000000000};
  TradeEvent event;
  std::vector<MappingIssue> issues;
  int64_t failed = 0;
  size_t next = 0;
  for (auto _ : state) {
    const auto& record = workload->records[next];
    next = next + 1 == workload->records.size() ? 0 : next + 1;
    event.Clear();
    issues.clear();
    context.location = record.location;
    Status st = mapper.Map(record.values, record.extras, context, &event, &issues);
    failed += !st.ok();
    benchmark::DoNotOptimize(event);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["failed"] = static_cast<double>(failed);
}
BENCHMARK(BM_Map)->ThreadRange(1, 2)->UseRealTime();

Status Dump(const std::string& path) {
  std::ofstream out(path);
  RecordContext context{"file:///bench.csv", "0123", "", "run", 1700000000000000};
  TradeEvent event;
  std::vector<MappingIssue> issues;
  for (const auto& record : workload->records) {
    event.Clear();
    issues.clear();
    context.location = record.location;
    Status st = workload->mapper->Map(record.values, record.extras, context, &event, &issues);
    out << "# " << record.location << ": " << (st.ok() ? "OK" : st.message()) << "\n";
    for (const auto& issue : issues)
      out << "issue " << issue.target << ": " << issue.message << "\n";
    std::string text;
    google::protobuf::TextFormat::PrintToString(event, &text);
    out << text;
  }
  out.close();
  if (!out) return Status::IOError("cannot write " + path);
  return Status::OK();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args = {argv[0]};
  std::vector<std::string> positional;
  size_t max_records = 20000;
  std::string dump;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--records=", 0) == 0) {
      max_records = std::stoul(arg.substr(10));
    } else if (arg.rfind("--dump=", 0) == 0) {
      dump = arg.substr(7);
    } else if (arg.rfind("--", 0) == 0) {
      args.push_back(argv[i]);
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 2) {
    std::cerr << "usage: " << argv[0] << " <pipeline.yaml> <input file> [--records=N] "
              << "[--dump=FILE | benchmark flags]\n";
    return 2;
  }
  Workload loaded;
  if (Status st = Load(positional[0], positional[1], max_records, &loaded); !st.ok()) {
    std::cerr << st.ToString() << "\n";
    return 1;
  }
  workload = &loaded;
  if (!dump.empty()) {
    Status st = Dump(dump);
    if (!st.ok()) std::cerr << st.ToString() << "\n";
    return st.ok() ? 0 : 1;
  }
  int bench_argc = static_cast<int>(args.size());
  benchmark::Initialize(&bench_argc, args.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
