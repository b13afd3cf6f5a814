// Convenience header: the whole public API of seedance-cpp.
#pragma once

#include "seedance/async.hpp"
#include "seedance/callback.hpp"
#include "seedance/cancellation.hpp"
#include "seedance/client.hpp"
#include "seedance/clock.hpp"
#include "seedance/download.hpp"
#include "seedance/error.hpp"
#include "seedance/log.hpp"
#include "seedance/request.hpp"
#include "seedance/retry.hpp"
#include "seedance/task.hpp"
#include "seedance/task_group.hpp"
#include "seedance/transport.hpp"
#include "seedance/version.hpp"
#include "seedance/wait.hpp"
