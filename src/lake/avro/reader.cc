#include "lake/avro/reader.h"

#include "lake/avro/container.h"
#include "lake/avro/decoder.h"
#include "lake/file_io.h"

namespace tradeflow::lake::avro {

namespace {

// A single block may not inflate beyond this; manifests are far smaller, and the cap stops a
// tiny crafted block from exhausting memory.
constexpr size_t kMaxBlockBytes = size_t{1} << 30;

Status ReadHeader(Decoder& d, ContainerFile* file, std::string_view* sync) {
  TF_ASSIGN_OR_RETURN(std::string_view magic, d.ReadFixed(kMagic.size()));
  if (magic != kMagic) return Status::Invalid("not an Avro container file (bad magic)");
  // metadata: map<bytes>
  for (;;) {
    TF_ASSIGN_OR_RETURN(int64_t count, d.ReadBlockCount());
    if (count == 0) break;
    // Each entry needs at least two length bytes.
    if (static_cast<uint64_t>(count) > d.remaining() / 2) {
      return Status::Invalid("at byte " + std::to_string(d.position()) + ": metadata count " +
                             std::to_string(count) + " exceeds the file size");
    }
    for (int64_t i = 0; i < count; ++i) {
      TF_ASSIGN_OR_RETURN(std::string_view key, d.ReadBytes());
      TF_ASSIGN_OR_RETURN(std::string_view value, d.ReadBytes());
      file->metadata.emplace_back(key, value);
    }
  }
  TF_ASSIGN_OR_RETURN(*sync, d.ReadFixed(kSyncSize));

  const std::string* schema_json = file->FindMetadata("avro.schema");
  if (schema_json == nullptr) return Status::Invalid("header has no avro.schema");
  auto schema = Schema::Parse(*schema_json);
  if (!schema.ok()) return schema.status().WithContext("avro.schema");
  file->schema = std::move(schema).value();
  const std::string* codec = file->FindMetadata("avro.codec");
  TF_ASSIGN_OR_RETURN(file->codec, ParseCodec(codec ? *codec : "null"));
  return Status::OK();
}

Status ReadBlock(Decoder& d, std::string_view sync, ContainerFile* file) {
  TF_ASSIGN_OR_RETURN(int64_t count, d.ReadLong());
  TF_ASSIGN_OR_RETURN(int64_t size, d.ReadLong());
  if (count < 0) return Status::Invalid("negative object count " + std::to_string(count));
  if (size < 0 || static_cast<uint64_t>(size) > d.remaining()) {
    return Status::Invalid("block size " + std::to_string(size) + " exceeds the " +
                           std::to_string(d.remaining()) + " bytes left");
  }
  TF_ASSIGN_OR_RETURN(std::string_view raw, d.ReadFixed(static_cast<size_t>(size)));
  TF_ASSIGN_OR_RETURN(std::string_view marker, d.ReadFixed(kSyncSize));
  if (marker != sync) return Status::Invalid("sync marker mismatch after the block");

  std::string inflated;
  std::string_view data = raw;
  if (file->codec == Codec::kDeflate) {
    TF_ASSIGN_OR_RETURN(inflated, InflateRaw(raw, kMaxBlockBytes));
    data = inflated;
  }
  const Node& root = file->schema->root();
  if (root.min_encoded_size > 0 &&
      static_cast<uint64_t>(count) > data.size() / root.min_encoded_size) {
    return Status::Invalid("object count " + std::to_string(count) + " cannot fit a block of " +
                           std::to_string(data.size()) + " bytes");
  }
  if (root.min_encoded_size == 0 && count > (int64_t{1} << 20)) {
    return Status::Invalid("object count " + std::to_string(count) + " too large");
  }
  Decoder block(data);
  for (int64_t i = 0; i < count; ++i) {
    file->records.emplace_back();
    Status st = DecodeValue(block, root, &file->records.back());
    if (!st.ok()) return st.WithContext("record " + std::to_string(i));
  }
  if (!block.AtEnd()) {
    return Status::Invalid(std::to_string(block.remaining()) +
                           " bytes left over after the block's records (schema mismatch?)");
  }
  return Status::OK();
}

}  // namespace

const std::string* ContainerFile::FindMetadata(std::string_view key) const {
  for (const auto& [k, v] : metadata) {
    if (k == key) return &v;
  }
  return nullptr;
}

Result<ContainerFile> ReadContainer(std::string_view bytes, std::string_view file_name) {
  const std::string name(file_name);
  ContainerFile file;
  Decoder d(bytes);
  std::string_view sync;
  Status st = ReadHeader(d, &file, &sync);
  if (!st.ok()) return st.WithContext(name + ": Avro header");
  for (int block = 0; !d.AtEnd(); ++block) {
    size_t start = d.position();
    st = ReadBlock(d, sync, &file);
    if (!st.ok()) {
      return st.WithContext(name + ": block " + std::to_string(block) + " at byte " +
                            std::to_string(start));
    }
  }
  return file;
}

Result<ContainerFile> ReadContainerFile(const std::string& path) {
  TF_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  return ReadContainer(bytes, path);
}

}  // namespace tradeflow::lake::avro
