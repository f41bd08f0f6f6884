#include "model/value.hpp"

#include "model/observation.hpp"

namespace spindle::model {

namespace {

constexpr std::size_t alloc(std::size_t n) { return allocationBytes(n); }

/// Heap bytes of a string beyond the object (none while it fits the small-string buffer).
std::size_t heap(const std::string& s) {
  return s.capacity() > std::string().capacity() ? alloc(s.capacity() + 1) : 0;
}

/// The size of a shared payload: its control block and object, and their own heap.
template <typename T>
std::size_t shared(const std::shared_ptr<const T>& p, std::size_t inner) {
  return p ? alloc(sizeof(T) + 16) + inner : 0;  // made by make_shared: one block
}

}  // namespace

std::size_t payloadBytes(const Value& v) {
  return std::visit(
      [](const auto& x) -> std::size_t {
        using V = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<V, std::shared_ptr<const Condition>>) {
          return x ? shared(x, heap(x->text) + heap(x->nativeCode) + heap(x->nativeSeverity) +
                                   heap(x->qualifier))
                   : 0;
        } else if constexpr (std::is_same_v<V, std::shared_ptr<const Message>>) {
          return x ? shared(x, heap(x->text) + heap(x->nativeCode)) : 0;
        } else if constexpr (std::is_same_v<V, std::shared_ptr<const TimeSeries>>) {
          return x ? shared(x, alloc(x->samples.capacity() * sizeof(double))) : 0;
        } else if constexpr (std::is_same_v<V, std::shared_ptr<const DataSet>>) {
          if (!x) return 0;
          std::size_t inner = alloc(x->entries.capacity() * sizeof(DataSetEntry));
          for (const auto& e : x->entries) {
            inner += heap(e.key) + heap(e.value) + alloc(e.cells.capacity() * 64);
            for (const auto& [k, c] : e.cells) inner += heap(k) + heap(c);
          }
          return shared(x, inner);
        } else if constexpr (std::is_same_v<V, std::shared_ptr<const Asset>>) {
          return x ? shared(x, heap(x->id) + heap(x->type) + heap(x->document)) : 0;
        } else {
          return 0;
        }
      },
      v);
}

std::size_t heldBytes(const Batch& batch) {
  std::size_t bytes = alloc(batch.capacity() * sizeof(Observation));
  for (const Observation& o : batch) bytes += heapBytes(o.value);
  return bytes;
}

const char* toString(Level level) {
  switch (level) {
    case Level::kNormal:
      return "NORMAL";
    case Level::kWarning:
      return "WARNING";
    case Level::kFault:
      return "FAULT";
    case Level::kUnavailable:
      return "UNAVAILABLE";
  }
  return "UNAVAILABLE";
}

const char* toString(Kind kind) {
  switch (kind) {
    case Kind::kSample:
      return "sample";
    case Kind::kEvent:
      return "event";
    case Kind::kCondition:
      return "condition";
    case Kind::kMessage:
      return "message";
    case Kind::kTimeSeries:
      return "time_series";
    case Kind::kDataSet:
      return "data_set";
    case Kind::kTable:
      return "table";
    case Kind::kAsset:
      return "asset";
  }
  return "event";
}

}  // namespace spindle::model
