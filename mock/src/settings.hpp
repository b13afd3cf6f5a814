// The settings a test may change while the server runs (one lock).
#pragma once

#include <mutex>
#include <string>

#include "seedance/mock/mock_server.hpp"
#include "task_store.hpp"

namespace seedance::mock::detail {

class Settings {
 public:
  struct Values {
    std::string api_key;
    Dialect dialect = Dialect::Reference;
    TaskDefaults task_defaults;  ///< What tasks created now start with.
  };

  explicit Settings(const MockServerOptions& o)
      : values_{o.api_key, o.dialect, {o.polls_to_complete, o.video_size}} {}

  Values get() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return values_;
  }
  /// Runs `change` on the values under the lock.
  template <typename F>
  void update(F&& change) {
    std::lock_guard<std::mutex> lock(mutex_);
    change(values_);
  }

 private:
  mutable std::mutex mutex_;
  Values values_;
};

}  // namespace seedance::mock::detail
