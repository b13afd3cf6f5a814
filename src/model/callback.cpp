#include "seedance/callback.hpp"

#include "seedance/error.hpp"

namespace seedance {

// parse_task already takes the detail bare or wrapped in {"data": ...} and ignores unknown
// fields; a callback must also say which task and what state, or it is of no use to anyone.
Task parse_callback(std::string_view body) {
  Task task = parse_task(body, 200);
  if (task.task_id.empty()) {
    throw ResponseError("malformed callback body: no task id (task_id or id)");
  }
  if (task.status_text.empty()) {
    throw ResponseError("malformed callback body: no status (task " + task.task_id + ")");
  }
  return task;
}

}  // namespace seedance
