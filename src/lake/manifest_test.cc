#include "lake/manifest.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lake/avro/reader.h"
#include "lake/file_io.h"
#include "lake/manifest_list.h"

namespace tradeflow::lake {
namespace {

namespace fs = std::filesystem;

constexpr char kTableSchema[] = R"({"type":"struct","schema-id":0,"fields":[)"
                                R"({"id":1,"name":"trade_id","required":true,"type":"long"},)"
                                R"({"id":3,"name":"ts","required":true,"type":"timestamptz"},)"
                                R"({"id":5,"name":"venue","required":false,"type":"string"}]})";

std::string Le32(int32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i)
    out[static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

PartitionSpec TestSpec() {
  PartitionSpec spec;
  spec.spec_id = 0;
  spec.fields = {
      {1000, 3, "ts_day", "day", PartitionValueType::kDate},
      {1001, 5, "venue", "identity", PartitionValueType::kString},
  };
  return spec;
}

ManifestWriteOptions TestOptions() {
  ManifestWriteOptions options;
  options.table_schema_json = kTableSchema;
  options.schema_id = 0;
  options.spec = TestSpec();
  options.snapshot_id = 8001;
  options.sequence_number = 4;
  return options;
}

// Two data files: one added by this snapshot, one carried over from an older one.
std::vector<ManifestEntry> TestEntries() {
  ManifestEntry added;
  added.status = EntryStatus::kAdded;
  added.snapshot_id = 12345;   // overwritten: ADDED entries belong to this snapshot
  added.sequence_number = 99;  // dropped: ADDED entries inherit
  DataFile& a = added.data_file;
  a.file_path = "file:///lake/trades/data/ts_day=2024-01-15/venue=XNYS/00000-0-a.parquet";
  a.partition = {PartitionValue(int32_t{19737}), PartitionValue(std::string("XNYS"))};
  a.record_count = 1000;
  a.file_size_in_bytes = 65432;
  a.column_sizes = {{1, 8000}, {3, 8000}, {5, 1200}};
  a.value_counts = {{1, 1000}, {3, 1000}, {5, 1000}};
  a.null_value_counts = {{1, 0}, {3, 0}, {5, 7}};
  a.nan_value_counts = {};
  a.lower_bounds = {{1, std::string("\x01\0\0\0\0\0\0\0", 8)}, {5, "XNYS"}};
  a.upper_bounds = {{1, std::string("\xe8\x03\0\0\0\0\0\0", 8)}, {5, "XNYS"}};
  a.split_offsets = {4, 40000};
  a.sort_order_id = 0;

  ManifestEntry existing;
  existing.status = EntryStatus::kExisting;
  existing.snapshot_id = 7001;
  existing.sequence_number = 2;
  existing.file_sequence_number = 2;
  DataFile& b = existing.data_file;
  b.file_path = "file:///lake/trades/data/ts_day=null/venue=XLON/00000-0-b.parquet";
  b.partition = {PartitionValue(), PartitionValue(std::string("XLON"))};
  b.record_count = 10;
  b.file_size_in_bytes = 2048;
  return {added, existing};
}

void ExpectSameDataFile(const DataFile& got, const DataFile& want) {
  EXPECT_EQ(got.content, want.content);
  EXPECT_EQ(got.file_path, want.file_path);
  EXPECT_EQ(got.file_format, want.file_format);
  EXPECT_EQ(got.partition, want.partition);
  EXPECT_EQ(got.record_count, want.record_count);
  EXPECT_EQ(got.file_size_in_bytes, want.file_size_in_bytes);
  EXPECT_EQ(got.column_sizes, want.column_sizes);
  EXPECT_EQ(got.value_counts, want.value_counts);
  EXPECT_EQ(got.null_value_counts, want.null_value_counts);
  EXPECT_EQ(got.nan_value_counts, want.nan_value_counts);
  EXPECT_EQ(got.lower_bounds, want.lower_bounds);
  EXPECT_EQ(got.upper_bounds, want.upper_bounds);
  EXPECT_EQ(got.split_offsets, want.split_offsets);
  EXPECT_EQ(got.equality_ids, want.equality_ids);
  EXPECT_EQ(got.sort_order_id, want.sort_order_id);
  EXPECT_EQ(got.referenced_data_file, want.referenced_data_file);
}

void ExpectSameManifestFile(const ManifestFile& got, const ManifestFile& want) {
  EXPECT_EQ(got.manifest_path, want.manifest_path);
  EXPECT_EQ(got.manifest_length, want.manifest_length);
  EXPECT_EQ(got.partition_spec_id, want.partition_spec_id);
  EXPECT_EQ(got.content, want.content);
  EXPECT_EQ(got.sequence_number, want.sequence_number);
  EXPECT_EQ(got.min_sequence_number, want.min_sequence_number);
  EXPECT_EQ(got.added_snapshot_id, want.added_snapshot_id);
  EXPECT_EQ(got.added_files_count, want.added_files_count);
  EXPECT_EQ(got.existing_files_count, want.existing_files_count);
  EXPECT_EQ(got.deleted_files_count, want.deleted_files_count);
  EXPECT_EQ(got.added_rows_count, want.added_rows_count);
  EXPECT_EQ(got.existing_rows_count, want.existing_rows_count);
  EXPECT_EQ(got.deleted_rows_count, want.deleted_rows_count);
  ASSERT_EQ(got.partitions.size(), want.partitions.size());
  for (size_t i = 0; i < got.partitions.size(); ++i) {
    EXPECT_EQ(got.partitions[i].contains_null, want.partitions[i].contains_null) << i;
    EXPECT_EQ(got.partitions[i].contains_nan, want.partitions[i].contains_nan) << i;
    EXPECT_EQ(got.partitions[i].lower_bound, want.partitions[i].lower_bound) << i;
    EXPECT_EQ(got.partitions[i].upper_bound, want.partitions[i].upper_bound) << i;
  }
}

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tf_manifest_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST_F(ManifestTest, ManifestRoundTrip) {
  const std::string path = Path("metadata/c0ffee-m0.avro");
  auto written = WriteManifest(path, ToFileUri(path), TestOptions(), TestEntries());
  ASSERT_TRUE(written.ok()) << written.status().ToString();

  const ManifestFile& m = *written;
  EXPECT_EQ(m.manifest_path, "file://" + path);
  EXPECT_EQ(m.manifest_length, static_cast<int64_t>(fs::file_size(path)));
  EXPECT_EQ(m.partition_spec_id, 0);
  EXPECT_EQ(m.content, 0);
  EXPECT_EQ(m.sequence_number, 4);
  EXPECT_EQ(m.min_sequence_number, 2);  // the existing file's data sequence number
  EXPECT_EQ(m.added_snapshot_id, 8001);
  EXPECT_EQ(m.added_files_count, 1);
  EXPECT_EQ(m.existing_files_count, 1);
  EXPECT_EQ(m.deleted_files_count, 0);
  EXPECT_EQ(m.added_rows_count, 1000);
  EXPECT_EQ(m.existing_rows_count, 10);
  EXPECT_EQ(m.deleted_rows_count, 0);
  ASSERT_EQ(m.partitions.size(), 2u);
  EXPECT_TRUE(m.partitions[0].contains_null);
  EXPECT_EQ(m.partitions[0].contains_nan, false);
  EXPECT_EQ(m.partitions[0].lower_bound, Le32(19737));
  EXPECT_EQ(m.partitions[0].upper_bound, Le32(19737));
  EXPECT_FALSE(m.partitions[1].contains_null);
  EXPECT_EQ(m.partitions[1].lower_bound, "XLON");
  EXPECT_EQ(m.partitions[1].upper_bound, "XNYS");

  auto manifest = ReadManifestFile(path);
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  EXPECT_EQ(manifest->table_schema_json, kTableSchema);
  EXPECT_EQ(manifest->schema_id, 0);
  EXPECT_EQ(manifest->content, 0);
  EXPECT_EQ(manifest->spec.spec_id, 0);
  ASSERT_EQ(manifest->spec.fields.size(), 2u);
  const PartitionSpec spec = TestSpec();
  for (size_t i = 0; i < 2; ++i) {
    const PartitionField& got = manifest->spec.fields[i];
    const PartitionField& want = spec.fields[i];
    EXPECT_EQ(got.field_id, want.field_id);
    EXPECT_EQ(got.source_id, want.source_id);
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.transform, want.transform);
    EXPECT_EQ(got.type, want.type);
  }

  auto entries = ReadManifest(path);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 2u);
  const std::vector<ManifestEntry> want = TestEntries();
  const ManifestEntry& added = (*entries)[0];
  EXPECT_EQ(added.status, EntryStatus::kAdded);
  EXPECT_EQ(added.snapshot_id, 8001);
  EXPECT_EQ(added.sequence_number, std::nullopt);
  EXPECT_EQ(added.file_sequence_number, std::nullopt);
  ExpectSameDataFile(added.data_file, want[0].data_file);
  const ManifestEntry& existing = (*entries)[1];
  EXPECT_EQ(existing.status, EntryStatus::kExisting);
  EXPECT_EQ(existing.snapshot_id, 7001);
  EXPECT_EQ(existing.sequence_number, 2);
  EXPECT_EQ(existing.file_sequence_number, 2);
  ExpectSameDataFile(existing.data_file, want[1].data_file);

  // Header keys as Iceberg readers expect them.
  auto file = avro::ReadContainerFile(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*file->FindMetadata("schema-id"), "0");
  EXPECT_EQ(*file->FindMetadata("partition-spec"),
            R"([{"name":"ts_day","transform":"day","source-id":3,"field-id":1000},)"
            R"({"name":"venue","transform":"identity","source-id":5,"field-id":1001}])");
  EXPECT_EQ(*file->FindMetadata("partition-spec-id"), "0");
  EXPECT_EQ(*file->FindMetadata("format-version"), "2");
  EXPECT_EQ(*file->FindMetadata("content"), "data");
  EXPECT_EQ(*file->FindMetadata("avro.codec"), "null");
}

TEST_F(ManifestTest, ManifestListRoundTrip) {
  const std::string manifest_path = Path("m0.avro");
  auto m0 = WriteManifest(manifest_path, ToFileUri(manifest_path), TestOptions(), TestEntries());
  ASSERT_TRUE(m0.ok()) << m0.status().ToString();
  ManifestFile m1;  // every field distinct, to catch swapped fields
  m1.manifest_path = "file:///lake/trades/metadata/older-m0.avro";
  m1.manifest_length = 4321;
  m1.partition_spec_id = 1;
  m1.content = 1;
  m1.sequence_number = 3;
  m1.min_sequence_number = 2;
  m1.added_snapshot_id = 7001;
  m1.added_files_count = 5;
  m1.existing_files_count = 6;
  m1.deleted_files_count = 7;
  m1.added_rows_count = 500;
  m1.existing_rows_count = 600;
  m1.deleted_rows_count = 700;
  m1.partitions = {FieldSummary{false, std::nullopt, std::nullopt, std::nullopt},
                   FieldSummary{true, true, std::string("a"), std::string("z")}};
  ManifestFile m2 = m1;  // unpartitioned
  m2.manifest_path = "file:///lake/trades/metadata/older-m1.avro";
  m2.partitions.clear();

  const std::string list_path = Path("metadata/snap-8001-1-c0ffee.avro");
  ASSERT_TRUE(WriteManifestList(list_path, 8001, 7001, 4, {*m0, m1, m2}).ok());
  auto read = ReadManifestList(list_path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 3u);
  ExpectSameManifestFile((*read)[0], *m0);
  ExpectSameManifestFile((*read)[1], m1);
  ExpectSameManifestFile((*read)[2], m2);

  auto file = avro::ReadContainerFile(list_path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*file->FindMetadata("snapshot-id"), "8001");
  EXPECT_EQ(*file->FindMetadata("parent-snapshot-id"), "7001");
  EXPECT_EQ(*file->FindMetadata("sequence-number"), "4");
  EXPECT_EQ(*file->FindMetadata("format-version"), "2");

  ASSERT_TRUE(WriteManifestList(list_path, 1, std::nullopt, 1, {}).ok());
  file = avro::ReadContainerFile(list_path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*file->FindMetadata("parent-snapshot-id"), "null");
  EXPECT_TRUE(ReadManifestList(list_path)->empty());
}

TEST_F(ManifestTest, DeletedEntriesAndDeleteManifests) {
  std::vector<ManifestEntry> entries = TestEntries();
  entries[1].status = EntryStatus::kDeleted;
  entries[1].snapshot_id.reset();  // defaults to the deleting snapshot
  const std::string path = Path("m.avro");
  auto m = WriteManifest(path, ToFileUri(path), TestOptions(), entries);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->deleted_files_count, 1);
  EXPECT_EQ(m->deleted_rows_count, 10);
  EXPECT_EQ(m->min_sequence_number, 4);  // deleted files do not count
  auto read = ReadManifest(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ((*read)[1].status, EntryStatus::kDeleted);
  EXPECT_EQ((*read)[1].snapshot_id, 8001);

  // A position-delete manifest.
  ManifestEntry del = TestEntries()[0];
  del.data_file.content = 1;
  del.data_file.referenced_data_file = "file:///lake/trades/data/x.parquet";
  auto dm = WriteManifest(path, ToFileUri(path), TestOptions(), {del});
  ASSERT_TRUE(dm.ok()) << dm.status().ToString();
  EXPECT_EQ(dm->content, 1);
  auto dread = ReadManifestFile(path);
  ASSERT_TRUE(dread.ok());
  EXPECT_EQ(dread->content, 1);
  EXPECT_EQ(dread->entries[0].data_file.referenced_data_file, del.data_file.referenced_data_file);
}

TEST_F(ManifestTest, InvalidInputsNameTheFileAndEntry) {
  const std::string path = Path("bad.avro");
  auto expect_invalid = [&](std::vector<ManifestEntry> entries, const std::string& needle) {
    auto m = WriteManifest(path, ToFileUri(path), TestOptions(), entries);
    ASSERT_FALSE(m.ok()) << needle;
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(m.status().message().find(path), std::string::npos) << m.status().message();
    EXPECT_NE(m.status().message().find(needle), std::string::npos) << m.status().message();
    EXPECT_FALSE(fs::exists(path));
  };
  auto entries = TestEntries();
  entries[0].data_file.partition[0] = PartitionValue(int64_t{19737});
  expect_invalid(entries, "ts_day");
  entries = TestEntries();
  entries[1].data_file.partition.pop_back();
  expect_invalid(entries, "partition tuple has 1 values");
  entries = TestEntries();
  entries[1].sequence_number.reset();
  expect_invalid(entries, "EXISTING entry needs");
  entries = TestEntries();
  entries[1].data_file.content = 2;
  expect_invalid(entries, "mixes data files and delete files");

  ManifestWriteOptions options = TestOptions();
  options.spec.fields[1].field_id = 1000;
  EXPECT_EQ(WriteManifest(path, "file://" + path, options, {}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ManifestTest, ReadingGarbageOrMissingFilesFails) {
  const std::string path = Path("garbage.avro");
  ASSERT_TRUE(WriteFileAtomic(path, "Obj\x01 this is not a manifest").ok());
  auto m = ReadManifest(path);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find(path), std::string::npos);
  auto l = ReadManifestList(path);
  EXPECT_EQ(l.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadManifestList(Path("missing.avro")).status().code(), StatusCode::kNotFound);

  // A manifest list is not a manifest: the error says what is missing.
  const std::string list = Path("list.avro");
  ASSERT_TRUE(WriteManifestList(list, 1, std::nullopt, 1, {}).ok());
  auto wrong = ReadManifest(list);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("data_file.partition"), std::string::npos);
}

// --- Independent check with fastavro (skipped when the project venv is absent) ---

constexpr char kFastavroScript[] = R"PY(
import datetime, json, sys
import fastavro

def walk(t, path):
    if isinstance(t, list):
        for b in t:
            walk(b, path)
    elif isinstance(t, dict):
        ty = t.get("type")
        if ty == "record":
            for f in t["fields"]:
                assert "field-id" in f, f"{path}.{f['name']}: no field-id"
                walk(f["type"], path + "." + f["name"])
        elif ty == "array":
            if t.get("logicalType") == "map":
                names = [f["name"] for f in t["items"]["fields"]]
                assert names == ["key", "value"], f"{path}: map entry fields {names}"
            else:
                assert "element-id" in t, f"{path}: array without element-id"
            walk(t["items"], path + "[]")
        elif ty == "map":
            raise AssertionError(f"{path}: Avro map without key/value ids")

def read(path):
    with open(path, "rb") as f:
        r = fastavro.reader(f)
        return r.metadata, list(r)

def check_manifest(path):
    meta, records = read(path)
    for key in ["schema", "schema-id", "partition-spec", "partition-spec-id", "format-version",
                "content"]:
        assert key in meta, f"missing header key {key}"
    assert meta["format-version"] == "2" and meta["content"] == "data", meta
    assert json.loads(meta["schema"])["schema-id"] == 0
    assert [f["field-id"] for f in json.loads(meta["partition-spec"])] == [1000, 1001]
    schema = json.loads(meta["avro.schema"])
    walk(schema, "manifest_entry")
    assert len(records) == 2, records
    a, b = records
    assert a["status"] == 1 and a["snapshot_id"] == 8001 and a["sequence_number"] is None
    assert a["data_file"]["partition"] == {"ts_day": datetime.date(2024, 1, 15), "venue": "XNYS"}
    assert a["data_file"]["record_count"] == 1000
    assert {e["key"]: e["value"] for e in a["data_file"]["null_value_counts"]} == {1: 0, 3: 0, 5: 7}
    assert a["data_file"]["split_offsets"] == [4, 40000]
    assert b["status"] == 0 and b["sequence_number"] == 2 and b["file_sequence_number"] == 2
    assert b["data_file"]["partition"] == {"ts_day": None, "venue": "XLON"}
    assert b["data_file"]["column_sizes"] is None

def check_list(path):
    meta, records = read(path)
    for key, want in [("snapshot-id", "8001"), ("parent-snapshot-id", "null"),
                      ("sequence-number", "4"), ("format-version", "2")]:
        assert meta.get(key) == want, f"{key}: {meta.get(key)!r}"
    schema = json.loads(meta["avro.schema"])
    walk(schema, "manifest_file")
    assert len(records) == 1
    m = records[0]
    assert m["manifest_path"].startswith("file:///") and m["added_files_count"] == 1
    assert m["existing_files_count"] == 1 and m["min_sequence_number"] == 2
    p = m["partitions"]
    assert p[0]["contains_null"] is True and p[0]["lower_bound"] == (19737).to_bytes(4, "little")
    assert p[1]["lower_bound"] == b"XLON" and p[1]["upper_bound"] == b"XNYS"

# A v1 manifest list as old pyiceberg/Java wrote it: deflate, optional counts, old field name.
V1_LIST_SCHEMA = {"type": "record", "name": "manifest_file", "fields": [
    {"name": "manifest_path", "type": "string", "field-id": 500},
    {"name": "manifest_length", "type": "long", "field-id": 501},
    {"name": "partition_spec_id", "type": "int", "field-id": 502},
    {"name": "added_snapshot_id", "type": ["null", "long"], "default": None, "field-id": 503},
    {"name": "added_data_files_count", "type": ["null", "int"], "default": None, "field-id": 504},
    {"name": "existing_data_files_count", "type": ["null", "int"], "default": None, "field-id": 505},
    {"name": "deleted_data_files_count", "type": ["null", "int"], "default": None, "field-id": 506},
    {"name": "partitions", "type": ["null", {"type": "array", "element-id": 508, "items": {
        "type": "record", "name": "r508", "fields": [
            {"name": "contains_null", "type": "boolean", "field-id": 509},
            {"name": "lower_bound", "type": ["null", "bytes"], "default": None, "field-id": 510},
            {"name": "upper_bound", "type": ["null", "bytes"], "default": None, "field-id": 511}]}}],
     "default": None, "field-id": 507},
    {"name": "added_rows_count", "type": ["null", "long"], "default": None, "field-id": 512},
    {"name": "existing_rows_count", "type": ["null", "long"], "default": None, "field-id": 513},
    {"name": "deleted_rows_count", "type": ["null", "long"], "default": None, "field-id": 514}]}

def write_v1_list(path):
    records = [{"manifest_path": "file:///t/metadata/v1-m0.avro", "manifest_length": 777,
                "partition_spec_id": 0, "added_snapshot_id": 42, "added_data_files_count": 3,
                "existing_data_files_count": None, "deleted_data_files_count": 0,
                "partitions": [{"contains_null": False, "lower_bound": b"\x01\x00\x00\x00",
                                "upper_bound": b"\x09\x00\x00\x00"}],
                "added_rows_count": 30, "existing_rows_count": 0, "deleted_rows_count": 0}]
    with open(path, "wb") as f:
        fastavro.writer(f, fastavro.parse_schema(V1_LIST_SCHEMA), records, codec="deflate",
                        metadata={"snapshot-id": "42", "parent-snapshot-id": "null",
                                  "format-version": "1"})

# pyiceberg, the reader our tables are checked with, reads by field id and applies sequence
# number inheritance; optional, since the brief only promises fastavro.
def check_pyiceberg(path):
    try:
        from pyiceberg.io.pyarrow import PyArrowFileIO
        from pyiceberg.manifest import read_manifest_list
    except ImportError:
        print("pyiceberg not installed; skipped")
        return
    io = PyArrowFileIO()
    (mf,) = list(read_manifest_list(io.new_input(path)))
    assert mf.added_snapshot_id == 8001 and mf.sequence_number == 4, mf
    a, b = mf.fetch_manifest_entry(io, discard_deleted=False)
    assert a.snapshot_id == 8001 and a.sequence_number == 4, a  # inherited from the list
    assert b.snapshot_id == 7001 and b.sequence_number == 2, b
    assert a.data_file.partition[0] == 19737 and a.data_file.partition[1] == "XNYS"
    assert b.data_file.partition[0] is None
    assert dict(a.data_file.upper_bounds)[5] == b"XNYS"
    assert a.data_file.file_size_in_bytes == 65432 and a.data_file.split_offsets == [4, 40000]

mode, path = sys.argv[1], sys.argv[2]
{"manifest": check_manifest, "list": check_list, "write-v1-list": write_v1_list,
 "pyiceberg": check_pyiceberg}[mode](path)
print("fastavro ok:", mode)
)PY";

class FastavroTest : public ManifestTest {
 protected:
  void SetUp() override {
    python_ = TF_SOURCE_DIR "/.venv/bin/python";
    if (!fs::exists(python_)) GTEST_SKIP() << "no " << python_;
    ManifestTest::SetUp();
    script_ = Path("check.py");
    std::ofstream(script_) << kFastavroScript;
  }

  // Runs the script; fails the test with its output unless it exits 0.
  void RunScript(const std::string& mode, const std::string& path) {
    const std::string cmd = "'" + python_ + "' '" + script_ + "' " + mode + " '" + path + "' 2>&1";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
    int rc = ::pclose(pipe);
    EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd << "\n" << output;
  }

  std::string python_;
  std::string script_;
};

TEST_F(FastavroTest, ReadsOurManifestAndManifestList) {
  const std::string manifest_path = Path("metadata/m0.avro");
  auto m = WriteManifest(manifest_path, ToFileUri(manifest_path), TestOptions(), TestEntries());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const std::string list_path = Path("metadata/snap-8001.avro");
  ASSERT_TRUE(WriteManifestList(list_path, 8001, std::nullopt, 4, {*m}).ok());
  RunScript("manifest", manifest_path);
  RunScript("list", list_path);
  RunScript("pyiceberg", list_path);
}

TEST_F(FastavroTest, WeReadAV1DeflateManifestListWrittenByFastavro) {
  const std::string path = Path("v1-list.avro");
  RunScript("write-v1-list", path);
  auto read = ReadManifestList(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 1u);
  const ManifestFile& m = (*read)[0];
  EXPECT_EQ(m.manifest_path, "file:///t/metadata/v1-m0.avro");
  EXPECT_EQ(m.manifest_length, 777);
  EXPECT_EQ(m.content, 0);
  EXPECT_EQ(m.sequence_number, 0);
  EXPECT_EQ(m.min_sequence_number, 0);
  EXPECT_EQ(m.added_snapshot_id, 42);
  EXPECT_EQ(m.added_files_count, 3);  // found by field id 504 despite the old name
  EXPECT_EQ(m.existing_files_count, 0);
  EXPECT_EQ(m.added_rows_count, 30);
  ASSERT_EQ(m.partitions.size(), 1u);
  EXPECT_FALSE(m.partitions[0].contains_null);
  EXPECT_EQ(m.partitions[0].contains_nan, std::nullopt);
  EXPECT_EQ(m.partitions[0].lower_bound, Le32(1));
  EXPECT_EQ(m.partitions[0].upper_bound, Le32(9));
}

}  // namespace
}  // namespace tradeflow::lake
