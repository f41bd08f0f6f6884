#pragma once
/// What a collector's `host` may be: an IPv4 address in dotted-decimal form, an IPv6 address
/// (without brackets; the port is its own key), or a DNS name. Checked when the configuration
/// is loaded, so `spindle validate` refuses a host the resolver could never use.

#include <string>
#include <string_view>

namespace spindle::collectors {

/// "" when `host` is well formed; otherwise why not, in words for a configuration message.
/// A host of digits and dots only is an address and must be one: "10.0.0.300" is refused
/// (no DNS name is all digits), "10.0.0.3" and "mill-1.plant.local" are fine.
std::string hostProblem(std::string_view host);

}  // namespace spindle::collectors
