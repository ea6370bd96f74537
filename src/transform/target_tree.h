// The messages a mapping writes into, as one tree shared by all its target paths.
//
// Most targets share a prefix with others ("legs[0].quantity.value", "legs[0].quantity.unit",
// "legs[0].fixed.price.value" all live under legs[0]). Compiling a mapping adds the parent of
// each target to the tree once, with the Reflection of every message type on it. Mapping a record
// then goes through a Cursor, which remembers each node's message once it exists: a record walks
// each step of the tree at most once, not once per rule, and never asks a message for its
// Reflection (with protobuf 3.21, each GetReflection() of a generated message goes through a
// call_once, which costs a thread-local access).
//
// The tree is immutable once the mapping is compiled and may be shared between threads; a Cursor
// belongs to one record being mapped.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <array>
#include <utility>
#include <vector>

#include "transform/field_path.h"

namespace tradeflow::transform {

class TargetTree {
 public:
  static constexpr int kRoot = 0;

  // For generated messages of type `root`: the Reflection pointers are the generated factory's.
  explicit TargetTree(const google::protobuf::Descriptor* root);

  // The node of the message that holds `path`'s leaf, added with its ancestors when new.
  int AddParentOf(const FieldPath& path);

  const google::protobuf::Descriptor* root() const { return root_; }
  size_t size() const { return nodes_.size(); }
  const google::protobuf::Reflection* reflection(int node) const { return nodes_[node].reflection; }

  class Cursor;

 private:
  struct Node {
    int parent;                                      // -1 for the root
    const google::protobuf::FieldDescriptor* field;  // in the parent's message; null for the root
    int index;                                       // list index, -1 for singular fields
    const google::protobuf::Reflection* reflection;  // of this node's message type
    std::vector<int> descendants;                    // forgotten on a oneof switch here
  };

  int FindOrAdd(int parent, const FieldPath::Step& step);

  const google::protobuf::Descriptor* root_;
  std::vector<Node> nodes_;
};

// The messages of one record's tree, created on first use.
class TargetTree::Cursor {
 public:
  // `root` must be a message of the tree's root type from the generated factory.
  Cursor(const TargetTree& tree, google::protobuf::Message* root);
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  // The message of `node`, created on the way if missing (lists grow up to the index named).
  google::protobuf::Message* Get(int node);
  // The message of `node` if this record has used it (and no oneof switch dropped it since), or
  // null: nothing is created.
  google::protobuf::Message* Existing(int node) const { return messages_[node]; }

  // Call before setting `field` of `node`'s message. Setting a member of a oneof deletes the
  // member set before, with every message in it: the cursor then forgets all it remembers below
  // `node` (more than needed, but it is rare) and looks those messages up again when next used.
  void BeforeSet(int node, const google::protobuf::FieldDescriptor* field) {
    if (field->real_containing_oneof() != nullptr) BeforeSetInOneof(node, field);
  }

  // The member of a oneof that the last BeforeSet replaced (another member was set in this
  // record already), or null; cleared by reading it. The value set before is lost, so the
  // mapping reports it: two rules filled alternatives (a leg's `fixed` and `option` terms).
  const google::protobuf::FieldDescriptor* TakeReplacedOneofMember() {
    return std::exchange(replaced_, nullptr);
  }

 private:
  google::protobuf::Message* Create(int node);
  void BeforeSetInOneof(int node, const google::protobuf::FieldDescriptor* field);

  const TargetTree& tree_;
  // A pointer per node, null until known. Mappings have a few dozen nodes at most, which fit
  // the inline array: a record needs no allocation for its cursor.
  std::array<google::protobuf::Message*, 32> inline_{};
  std::vector<google::protobuf::Message*> heap_;
  google::protobuf::Message** messages_;
  const google::protobuf::FieldDescriptor* replaced_ = nullptr;
};

inline google::protobuf::Message* TargetTree::Cursor::Get(int node) {
  google::protobuf::Message* known = messages_[node];
  return known != nullptr ? known : Create(node);
}

}  // namespace tradeflow::transform
