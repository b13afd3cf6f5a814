// The tasks the mock knows: how they are made, how polls move them on, and the store that keeps
// them (one lock) for the request threads and the test's own calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "seedance/mock/mock_server.hpp"
#include "task.hpp"

namespace seedance::mock::detail {

/// The server's settings a new task takes.
struct TaskDefaults {
  int polls_to_complete = 3;
  std::uint64_t video_size = 0;
};

/// A task as a submit makes it (no id yet); the markers in `text` choose how it ends.
Task submitted_task(const std::string& model, const std::string& text, bool return_last_frame,
                    const TaskDefaults& defaults);
/// A task as MockServer::create_task makes it (no id yet).
Task created_task(const TaskOptions& options, const TaskDefaults& defaults);
/// One detail poll: counts it and moves a task that is not terminal yet on.
void poll(Task& t);

/// The current strong validator of the task's video, with quotes.
std::string etag_of(const Task& t);
/// Last-Modified of the task's video; it changes with the validator.
std::string last_modified_of(const Task& t);
TaskSnapshot snapshot_of(const Task& t);

class TaskStore {
 public:
  TaskStore();  ///< Ids salted at random, so two servers' ids differ.
  explicit TaskStore(std::uint64_t id_salt);

  /// Gives the task a new id, keeps it and returns it as stored.
  Task add(Task t);
  std::optional<Task> find(const std::string& id) const;
  /// The task after a detail request; `advance` counts the request as a poll.
  std::optional<Task> detail(const std::string& id, bool advance);
  /// Takes the task's one cut download, if it has one left.
  bool take_cut(const std::string& id);
  /// Changes the validator of the task's video (the bytes stay the same).
  void change_etag(const std::string& id);
  std::optional<TaskSnapshot> snapshot(const std::string& id) const;
  std::size_t size() const;

 private:
  std::string new_id_locked();

  mutable std::mutex mutex_;
  std::map<std::string, Task> tasks_;
  std::uint64_t next_ = 1;
  std::uint64_t id_salt_ = 0;
};

}  // namespace seedance::mock::detail
