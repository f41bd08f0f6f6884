#pragma once
/// Checks of a YAML document itself, before any option table reads it.

#include <cstddef>

#include <yaml-cpp/yaml.h>

#include "config/diagnostics.hpp"

namespace spindle::config {

/// Reports every key that appears twice in the same map, at the second one's file:line with
/// the first one's line: YAML parsers keep one of the two silently. Walks the whole document
/// without recursion (any depth, linear in its size). A document of more than `maxNodes`
/// nodes (aliases repeating large parts) is reported instead of walked: give the text's size.
void checkDuplicateKeys(const YAML::Node& root, Diagnostics& diags, std::size_t maxNodes);

}  // namespace spindle::config
