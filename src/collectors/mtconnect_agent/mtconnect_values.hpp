#pragma once
/// Observation values from MTConnect element text and attributes. Pure functions shared by the
/// XML and JSON walkers of the codec.

#include <optional>
#include <string_view>

#include "model/observation.hpp"

namespace spindle::collectors::mtconnect_agent {

/// "UNAVAILABLE" exactly (the MTConnect spelling).
inline bool isUnavailableText(std::string_view text) { return text == "UNAVAILABLE"; }

/// A number as agents write it. A decimal comma ("381,6404", seen from real agents) is read
/// as a decimal point when the text has no point.
std::optional<double> parseNumber(std::string_view text);

/// A SAMPLE's text: UNAVAILABLE, one number (double) or several space-separated numbers
/// (three-space positions, vector<double>). nullopt when it is none of these.
std::optional<model::Value> sampleValue(std::string_view text);

/// An EVENT's text: UNAVAILABLE, an integer (int64) or text.
model::Value eventValue(std::string_view text);

/// Normal, Warning, Fault or Unavailable (element names); nullopt for anything else.
std::optional<model::Level> levelFromElement(std::string_view element);

/// TIME_SERIES text: space-separated numbers. nullopt when one is not a number.
std::optional<model::TimeSeries> timeSeriesValue(std::string_view text, double sampleRate);

/// The representation an element name's suffix shows: "TimeSeries", "DataSet", "Table" or "".
std::string_view representationSuffix(std::string_view element);

}  // namespace spindle::collectors::mtconnect_agent
