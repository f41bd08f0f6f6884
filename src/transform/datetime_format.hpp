#pragma once
/// Date and time formatting for the `datetime` generator. Tokens: YYYY YY (year), MMMM MMM
/// MM M (month name, short name, number), DD D (day), dddd ddd (weekday name, short name),
/// HH H (hour 0-23), hh h (hour 1-12), A a (AM/PM), mm m (minute), ss s (second), SSS
/// (millisecond), Z (+hh:mm) ZZ (+hhmm), X (Unix seconds), x (Unix milliseconds). Text in
/// [brackets] is copied as is; any other character is copied too.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/time.hpp"
#include "transform/time_zone.hpp"

namespace spindle::transform {

std::string formatDateTime(std::string_view format, TimestampNs time, const TimeZone& zone);

}  // namespace spindle::transform
