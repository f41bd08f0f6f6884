#pragma once
/// Test support: waiting (at most 5 s) for the latest value a collector gave a key in a
/// FakeContext to be a value, or to be UNAVAILABLE, or for a condition it gave.

#include <chrono>
#include <memory>
#include <string>
#include <variant>

#include "collectors/testing/fake_context.hpp"
#include "collectors/testing/wait_until.hpp"

namespace spindle::collectors::testing {

/// True once the latest value of `key` is a value (not UNAVAILABLE).
inline bool seen(FakeContext& ctx, const std::string& key) {
  return waitUntil(
      [&] {
        auto v = ctx.latest(key);
        return v && !std::holds_alternative<model::Unavailable>(*v);
      },
      std::chrono::seconds(5));
}

/// True once the latest value of `key` is UNAVAILABLE.
inline bool unavailable(FakeContext& ctx, const std::string& key) {
  return waitUntil(
      [&] {
        auto v = ctx.latest(key);
        return v && std::holds_alternative<model::Unavailable>(*v);
      },
      std::chrono::seconds(5));
}

/// True once `ctx` was given a condition of `key` with native code `code` at `level`; at FAULT
/// its text must be `faultText` too.
inline bool conditionSeen(FakeContext& ctx, const std::string& key, const std::string& code,
                          model::Level level, const std::string& faultText) {
  return waitUntil(
      [&] {
        for (const auto& o : ctx.observations()) {
          if (ctx.catalog().item(o.item).key != key) continue;
          const auto* c = std::get_if<std::shared_ptr<const model::Condition>>(&o.value);
          if (c && (*c)->nativeCode == code && (*c)->level == level &&
              (level != model::Level::kFault || (*c)->text == faultText)) {
            return true;
          }
        }
        return false;
      },
      std::chrono::seconds(5));
}

}  // namespace spindle::collectors::testing
