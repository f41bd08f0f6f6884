#include "model/value.hpp"

#include "model/observation.hpp"

namespace spindle::model {

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
