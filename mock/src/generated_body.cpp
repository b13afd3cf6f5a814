#include "generated_body.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace seedance::mock::detail {
namespace {

// The members every generated detail starts with: a task the client can read.
std::string detail_head(const std::string& id) {
  return R"({"id":")" + id + R"(","task_id":")" + id +
         R"(","object":"video","model":"seedance-2.0","status":"IN_PROGRESS","progress":"50%",)";
}

}  // namespace

void GeneratedBody::append(std::string text, std::uint64_t times) {
  if (text.empty() || times == 0) return;
  Piece piece;
  piece.start = size_;
  piece.size = text.size() * times;
  piece.text = std::move(text);
  size_ += piece.size;
  pieces_.push_back(std::move(piece));
}

void GeneratedBody::fill(std::uint64_t offset, char* out, std::size_t n) const {
  for (const Piece& piece : pieces_) {
    if (n == 0) return;
    if (offset >= piece.start + piece.size) continue;
    std::uint64_t at = offset - piece.start;
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, piece.size - at));
    for (std::size_t done = 0; done < take;) {
      const std::size_t in_text = static_cast<std::size_t>(at % piece.text.size());
      const std::size_t run = std::min(take - done, piece.text.size() - in_text);
      if (piece.text.size() == 1) {
        std::memset(out + done, piece.text[0], run);
      } else {
        std::memcpy(out + done, piece.text.data() + in_text, run);
      }
      done += run;
      at += run;
    }
    out += take;
    offset += take;
    n -= take;
  }
}

GeneratedBody huge_task_detail(std::uint64_t size) {
  const std::string head = detail_head("task_mock_huge") + R"("padding":")";
  const std::string tail = "\"}";
  const std::uint64_t natural = head.size() + tail.size();
  GeneratedBody body;
  body.append(head);
  body.append("x", size > natural ? size - natural : 0);
  body.append(tail);
  return body;
}

GeneratedBody wide_task_detail(std::uint64_t size) {
  const std::string head = detail_head("task_mock_wide") + R"("items":[)";
  const std::string tail = "[]]}";
  const std::uint64_t natural = head.size() + tail.size();
  const std::uint64_t room = size > natural ? size - natural : 0;
  GeneratedBody body;
  body.append(head);
  body.append("[],", room / 3);
  body.append(tail);
  body.append(" ", room % 3);  // whitespace after the document makes the size exact
  return body;
}

GeneratedBody nested_task_detail(std::uint64_t depth) {
  GeneratedBody body;
  body.append(detail_head("task_mock_nested") + R"("detail":)");
  body.append("[", depth);
  body.append("]", depth);
  if (depth == 0) body.append("null");
  body.append("}");
  return body;
}

}  // namespace seedance::mock::detail
