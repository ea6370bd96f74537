#include "transform/target_tree.h"

namespace tradeflow::transform {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MessageFactory;
using google::protobuf::Reflection;

namespace {

const Reflection* GeneratedReflection(const Descriptor* type) {
  return MessageFactory::generated_factory()->GetPrototype(type)->GetReflection();
}

}  // namespace

TargetTree::TargetTree(const Descriptor* root) : root_(root) {
  nodes_.push_back({-1, nullptr, -1, GeneratedReflection(root), {}});
}

int TargetTree::AddParentOf(const FieldPath& path) {
  const auto& steps = path.steps();
  int node = kRoot;
  for (size_t i = 0; i + 1 < steps.size(); ++i) node = FindOrAdd(node, steps[i]);
  return node;
}

int TargetTree::FindOrAdd(int parent, const FieldPath::Step& step) {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    if (n.parent == parent && n.field == step.field && n.index == step.index) {
      return static_cast<int>(i);
    }
  }
  const int added = static_cast<int>(nodes_.size());
  nodes_.push_back(
      {parent, step.field, step.index, GeneratedReflection(step.field->message_type()), {}});
  for (int up = parent; up >= 0; up = nodes_[up].parent) nodes_[up].descendants.push_back(added);
  return added;
}

TargetTree::Cursor::Cursor(const TargetTree& tree, Message* root) : tree_(tree) {
  if (tree.size() <= inline_.size()) {
    messages_ = inline_.data();
  } else {
    heap_.resize(tree.size());
    messages_ = heap_.data();
  }
  messages_[kRoot] = root;
}

Message* TargetTree::Cursor::Create(int node) {
  const Node& n = tree_.nodes_[node];
  Message* parent = Get(n.parent);
  const Reflection* r = tree_.nodes_[n.parent].reflection;
  Message* created;
  if (n.index < 0) {
    BeforeSet(n.parent, n.field);
    created = r->MutableMessage(parent, n.field);
  } else {
    while (r->FieldSize(*parent, n.field) <= n.index) r->AddMessage(parent, n.field);
    created = r->MutableRepeatedMessage(parent, n.field, n.index);
  }
  messages_[node] = created;
  return created;
}

void TargetTree::Cursor::BeforeSetInOneof(int node, const FieldDescriptor* field) {
  const FieldDescriptor* active = tree_.nodes_[node].reflection->GetOneofFieldDescriptor(
      *messages_[node], field->real_containing_oneof());
  if (active == nullptr || active == field) return;
  replaced_ = active;
  for (int below : tree_.nodes_[node].descendants) messages_[below] = nullptr;
}

}  // namespace tradeflow::transform
