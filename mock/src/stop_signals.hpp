// How seedance-mock-server learns it should stop: SIGINT and SIGTERM on POSIX; Ctrl-C, Ctrl-Break
// and closing the console on Windows. Implemented with the socket layer (http_server.cpp), the
// mock's one file with OS headers.
#pragma once

namespace seedance::mock::detail {

/// Call before any thread starts. On POSIX it blocks the stop signals in this thread and so in
/// every thread started later (they are taken by wait_for_stop_signal(), free of any
/// async-signal-safety concern), and ignores SIGPIPE.
void prepare_stop_signals();

/// Returns once a stop signal arrived.
void wait_for_stop_signal();

}  // namespace seedance::mock::detail
