#include "download/download_part.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "platform/platform.hpp"
#include "seedance/error.hpp"

namespace seedance::detail {
namespace {

constexpr const char* kMagic = "seedance-part 1";

bool parse_number(const std::string& text, std::uint64_t& value) {
  if (text.empty() || text.size() > 19) return false;
  value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

}  // namespace

std::optional<PartMeta> read_part_meta(const std::string& path) {
  std::ifstream in(platform::to_path(path));
  std::string line;
  if (!std::getline(in, line) || line != kMagic) return std::nullopt;
  PartMeta meta;
  bool complete = false;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    if (key == "source") {
      meta.source = value;
    } else if (key == "etag") {
      meta.identity.etag = value;
    } else if (key == "last-modified") {
      meta.identity.last_modified = value;
    } else if (key == "total") {
      std::uint64_t total = 0;
      if (!value.empty()) {
        if (!parse_number(value, total)) return std::nullopt;
        meta.identity.total = total;
      }
    } else if (key == "segment") {
      std::istringstream fields(value);
      std::string start;
      std::string end;
      std::string done;
      PartSegment segment;
      if (!(fields >> start >> end >> done) || !parse_number(start, segment.start) ||
          !parse_number(end, segment.end) || !parse_number(done, segment.done) ||
          segment.end < segment.start || segment.done > segment.end - segment.start) {
        return std::nullopt;
      }
      meta.segments.push_back(segment);
    } else if (key == "end") {
      complete = true;
    } else {
      return std::nullopt;
    }
  }
  if (!complete || meta.source.empty()) return std::nullopt;
  if (!meta.segments.empty()) {
    // Segments must tile [0, total) in order.
    std::uint64_t next = 0;
    for (const PartSegment& segment : meta.segments) {
      if (segment.start != next) return std::nullopt;
      next = segment.end;
    }
    if (!meta.identity.total || next != *meta.identity.total) return std::nullopt;
  }
  return meta;
}

void write_part_meta(const std::string& path, const PartMeta& meta) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(platform::to_path(temporary), std::ios::trunc);
    out << kMagic << '\n' << "source " << meta.source << '\n';
    out << "etag " << meta.identity.etag << '\n';
    out << "last-modified " << meta.identity.last_modified << '\n';
    out << "total " << (meta.identity.total ? std::to_string(*meta.identity.total) : "") << '\n';
    for (const PartSegment& segment : meta.segments) {
      out << "segment " << segment.start << ' ' << segment.end << ' ' << segment.done << '\n';
    }
    out << "end\n";
    out.flush();
    if (!out) throw Error("cannot write " + temporary + ": " + std::strerror(errno));
  }
  std::error_code error;
  if (!platform::replace_file(temporary, path, error)) {
    throw Error("cannot rename " + temporary + ": " + error.message());
  }
}

std::vector<PartSegment> plan_segments(std::uint64_t total, int count, std::uint64_t min_bytes) {
  std::uint64_t parts = count < 1 ? 1 : static_cast<std::uint64_t>(count);
  if (min_bytes > 0)
    parts = std::min<std::uint64_t>(parts, std::max<std::uint64_t>(1, total / min_bytes));
  std::vector<PartSegment> segments;
  const std::uint64_t size = total / parts;
  std::uint64_t start = 0;
  for (std::uint64_t i = 0; i < parts; ++i) {
    PartSegment segment;
    segment.start = start;
    segment.end = i + 1 == parts ? total : start + size;
    segments.push_back(segment);
    start = segment.end;
  }
  return segments;
}

}  // namespace seedance::detail
