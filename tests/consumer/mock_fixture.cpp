// Uses the installed seedance::mock fixture the way an application's own tests would: an
// in-process MockServer, and a Client pointed at it.
#include <iostream>

#include "seedance/mock/mock_server.hpp"
#include "seedance/seedance.hpp"

int main() {
  seedance::mock::MockServerOptions options;
  options.polls_to_complete = 1;
  seedance::mock::MockServer server(options);
  server.start();
  seedance::ClientOptions client_options;
  client_options.base_url = server.base_url();
  client_options.api_key = server.api_key();
  const seedance::Client client(client_options);
  const seedance::Receipt receipt = client.submit(seedance::VideoRequest().prompt("fixture"));
  const seedance::Task task = client.wait(receipt.task_id);
  if (task.status != seedance::TaskStatus::Success) {
    std::cerr << "unexpected status " << task.status_text << "\n";
    return 1;
  }
  std::cout << "mock fixture: " << task.task_id << " ok\n";
  return 0;
}
