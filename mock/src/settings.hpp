// The settings a test may change while the server runs (one lock).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "seedance/mock/mock_server.hpp"
#include "task_store.hpp"

namespace seedance::mock::detail {

class Settings {
 public:
  explicit Settings(const MockServerOptions& o)
      : api_key_(o.api_key), dialect_(o.dialect), defaults_{o.polls_to_complete, o.video_size} {}

  std::string api_key() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return api_key_;
  }
  void set_api_key(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    api_key_ = key;
  }
  Dialect dialect() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return dialect_;
  }
  void set_dialect(Dialect dialect) {
    std::lock_guard<std::mutex> lock(mutex_);
    dialect_ = dialect;
  }
  /// What tasks created now start with.
  TaskDefaults task_defaults() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return defaults_;
  }
  void set_polls_to_complete(int polls) {
    std::lock_guard<std::mutex> lock(mutex_);
    defaults_.polls_to_complete = polls;
  }
  void set_video_size(std::uint64_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    defaults_.video_size = bytes;
  }

 private:
  mutable std::mutex mutex_;
  std::string api_key_;
  Dialect dialect_;
  TaskDefaults defaults_;
};

}  // namespace seedance::mock::detail
