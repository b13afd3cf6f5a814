#include "task_store.hpp"

#include <algorithm>
#include <cstdio>
#include <random>

#include "gateway.hpp"
#include "reply.hpp"
#include "video_bytes.hpp"

namespace seedance::mock::detail {
namespace {

/// The prompt markers that choose how a submitted task ends, and their fail_reason.
struct Marker {
  const char* text;
  Outcome outcome;
  const char* fail_reason;
};
const Marker kMarkers[] = {
    {"mock:fail", Outcome::Fail, "mock: generation failed (the prompt contains mock:fail)"},
    {"mock:timeout-sweep", Outcome::TimeoutSweep, kTimeoutSweepReason},
    {"mock:stuck-unknown", Outcome::StuckUnknown, ""},
    {"mock:stuck-not-started", Outcome::StuckNotStarted, ""},
};
constexpr const char* kCutContentMarker = "mock:cut-content";

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

void set_phase(Task& t, Phase phase) {
  if (t.phase == phase) return;
  t.phase = phase;
  t.updated_at = unix_now();
  if (phase == Phase::InProgress && t.start_time == 0) t.start_time = t.updated_at;
  if (t.terminal() && t.finish_time == 0) t.finish_time = t.updated_at;
}

/// The phase the task has reached after `t.polls` polls.
void advance(Task& t) {
  if (t.outcome == Outcome::StuckNotStarted) return set_phase(t, Phase::NotStart);
  if (t.outcome == Outcome::StuckUnknown) return set_phase(t, Phase::Unknown);
  const int total = std::max(1, t.polls_to_complete);
  if (t.polls >= total) {
    t.progress = 100;
    set_phase(t, t.outcome == Outcome::Succeed ? Phase::Success : Phase::Failure);
  } else if (t.polls <= 1) {
    t.progress = 0;
    set_phase(t, Phase::Queued);
  } else {
    t.progress = (t.polls - 1) * 100 / (total - 1);
    set_phase(t, Phase::InProgress);
  }
}

Task new_task(const std::string& model, const std::string& prompt, const TaskDefaults& defaults) {
  Task t;
  t.model = model;
  t.prompt = prompt;
  t.created_at = unix_now();
  t.updated_at = t.created_at;
  t.polls_to_complete = std::max(1, defaults.polls_to_complete);
  t.video_size = defaults.video_size;
  return t;
}

}  // namespace

const char* reference_status(Phase phase) {
  switch (phase) {
    case Phase::NotStart:
    case Phase::Queued:
      return "QUEUED";
    case Phase::InProgress:
      return "IN_PROGRESS";
    case Phase::Success:
      return "SUCCESS";
    case Phase::Failure:
      return "FAILURE";
    case Phase::Unknown:
      break;
  }
  return "UNKNOWN";
}

const char* gateway_status(Phase phase) {
  return phase == Phase::NotStart ? "NOT_START" : reference_status(phase);
}

Task submitted_task(const std::string& model, const std::string& text, bool return_last_frame,
                    const TaskDefaults& defaults) {
  Task t = new_task(model, text, defaults);
  for (const Marker& m : kMarkers) {
    if (text.find(m.text) == std::string::npos) continue;
    t.outcome = m.outcome;
    t.fail_reason = m.fail_reason;
    break;
  }
  t.cut_content = text.find(kCutContentMarker) != std::string::npos;
  t.return_last_frame = return_last_frame;
  return t;
}

Task created_task(const TaskOptions& options, const TaskDefaults& defaults) {
  Task t = new_task(options.model, options.prompt, defaults);
  t.return_last_frame = options.return_last_frame;
  t.fail_reason =
      options.outcome == Outcome::TimeoutSweep ? kTimeoutSweepReason : options.fail_reason;
  t.outcome = options.outcome;
  t.cut_content = options.cut_content;
  if (options.video_size) t.video_size = *options.video_size;
  switch (options.state) {
    case TaskState::Queued:
      break;
    case TaskState::InProgress:
      // As if polled twice (the second poll is the first IN_PROGRESS one).
      t.polls_to_complete = std::max(3, t.polls_to_complete);
      t.polls = 2;
      advance(t);
      break;
    case TaskState::Success:
      t.outcome = Outcome::Succeed;
      t.progress = 100;
      set_phase(t, Phase::Success);
      break;
    case TaskState::Failure:
      if (t.outcome != Outcome::TimeoutSweep) t.outcome = Outcome::Fail;
      t.progress = 100;
      set_phase(t, Phase::Failure);
      break;
  }
  return t;
}

void poll(Task& t) {
  ++t.polls;
  if (!t.terminal()) advance(t);
}

std::string etag_of(const Task& t) {
  return "\"" + hex64(fnv1a64(t.id)) + "-" + std::to_string(t.video_size) + "-" +
         std::to_string(t.generation) + "\"";
}

std::string last_modified_of(const Task& t) {
  return http_date(t.created_at + static_cast<std::int64_t>(t.generation));
}

TaskSnapshot snapshot_of(const Task& t) {
  TaskSnapshot s;
  s.id = t.id;
  s.model = t.model;
  s.prompt = t.prompt;
  s.status = reference_status(t.phase);
  s.gateway_status = gateway_status(t.phase);
  s.outcome = t.outcome;
  s.polls = t.polls;
  s.video_size = t.video_size;
  s.etag = etag_of(t);
  s.created_at = t.created_at;
  s.return_last_frame = t.return_last_frame;
  return s;
}

TaskStore::TaskStore() {
  std::random_device rd;
  id_salt_ = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

TaskStore::TaskStore(std::uint64_t id_salt) : id_salt_(id_salt) {}

std::string TaskStore::new_id_locked() {
  static const char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  // mix64 is a bijection, so distinct counters give distinct ids.
  std::uint64_t v = mix64(id_salt_ + next_++);
  std::string digits;
  for (int i = 0; i < 13; ++i) {
    digits.push_back(kDigits[v % 36]);
    v /= 36;
  }
  return "task_" + digits;
}

Task TaskStore::add(Task t) {
  std::lock_guard<std::mutex> lock(mutex_);
  t.id = new_id_locked();
  tasks_.emplace(t.id, t);
  return t;
}

std::optional<Task> TaskStore::find(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return std::nullopt;
  return it->second;
}

std::optional<Task> TaskStore::detail(const std::string& id, bool advance) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return std::nullopt;
  if (advance) poll(it->second);
  return it->second;
}

bool TaskStore::take_cut(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = tasks_.find(id);
  if (it == tasks_.end() || !it->second.cut_content) return false;
  it->second.cut_content = false;
  return true;
}

void TaskStore::change_etag(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = tasks_.find(id);
  if (it != tasks_.end()) ++it->second.generation;
}

std::optional<TaskSnapshot> TaskStore::snapshot(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return std::nullopt;
  return snapshot_of(it->second);
}

std::size_t TaskStore::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return tasks_.size();
}

}  // namespace seedance::mock::detail
