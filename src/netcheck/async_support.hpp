#pragma once
/// Small pieces the netcheck coroutines share: awaiting a callback API, and a deadline that
/// closes a socket when a stage takes too long. Everything runs on one strand.

#include <functional>
#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/units.hpp"

namespace spindle::netcheck {

/// Calls `start(callback)` and suspends until the callback has run (from any thread or
/// executor); returns the value it was given. The callback must be called exactly once.
///
/// GCC 12 destroys temporaries and by-value arguments of a co_await'ed call twice (GCC
/// PR 99576), so every coroutine here takes non-trivial arguments by reference, and callers
/// pass `start` as a named local, never as a temporary lambda.
template <typename T, typename Start>
boost::asio::awaitable<T> awaitCallback(const Start& start) {
  namespace asio = boost::asio;
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer signal(executor, asio::steady_timer::time_point::max());
  std::optional<T> out;
  start([executor, &out, &signal](T value) {
    asio::post(executor, [&out, &signal, value = std::move(value)]() mutable {
      out.emplace(std::move(value));
      signal.cancel();
    });
  });
  boost::system::error_code ec;
  while (!out) co_await signal.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return std::move(*out);
}

/// Runs `onExpire` after `timeout` unless destroyed first. Use on the strand that owns what
/// `onExpire` touches.
class Deadline {
 public:
  Deadline(const boost::asio::any_io_executor& executor, Duration timeout,
           std::function<void()> onExpire)
      : m_state(std::make_shared<State>()), m_timer(executor) {
    m_state->onExpire = std::move(onExpire);
    m_timer.expires_after(timeout);
    m_timer.async_wait([state = m_state](const boost::system::error_code& ec) {
      if (ec || !state->active) return;
      state->expired = true;
      state->onExpire();
    });
  }
  ~Deadline() {
    m_state->active = false;
    m_timer.cancel();
  }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  bool expired() const { return m_state->expired; }

 private:
  struct State {
    bool active = true;
    bool expired = false;
    std::function<void()> onExpire;
  };
  std::shared_ptr<State> m_state;
  boost::asio::steady_timer m_timer;
};

}  // namespace spindle::netcheck
