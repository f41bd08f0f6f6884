#pragma once
/// Turning SHDR value text into typed model values. Pure functions.

#include <optional>
#include <string_view>

#include "base/error.hpp"
#include "model/observation.hpp"

namespace spindle::collectors::shdr {

/// "UNAVAILABLE" or "@UNAVAILABLE@" (any case).
bool isUnavailableText(std::string_view text);

/// normal | warning | fault | unavailable, any case.
std::optional<model::Level> parseLevel(std::string_view text);

/// A sample or event value: UNAVAILABLE; an integer; a decimal; two or more space-separated
/// numbers (a three-space position); otherwise text. A trailing ":TRIGGER" on a number (the
/// reset trigger, "0:DAY") sets kFlagResetTriggered. `kind` becomes kSample for numbers and
/// kEvent for text.
model::Value parseScalar(std::string_view text, model::Kind& kind, std::uint8_t& flags);

/// True when every space-separated word is `key=value`, `key=` or a quoted/braced value after
/// `key=`, with at least one `=`; or when the text starts with a reset trigger (":MANUAL").
bool looksLikeDataSet(std::string_view text);

/// Parses "k1=v1 k2='a b' k3={c=1 d=2} k4" (k4 alone, or "k4=", removes k4). A leading
/// ":TRIGGER" resets the set. Table rows ({...}) become cells.
Result<model::DataSet> parseDataSet(std::string_view text);

/// "sampleCount|sampleRate|v1 v2 ... vN": the count must match the values given.
Result<model::TimeSeries> parseTimeSeries(std::string_view count, std::string_view rate,
                                          std::string_view values);

/// True for "123" with nothing else.
bool isInteger(std::string_view text);

}  // namespace spindle::collectors::shdr
