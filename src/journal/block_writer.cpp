#include "journal/block_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/thread_name.hpp"

namespace spindle::journal {
namespace {
std::uint64_t alignDown(std::uint64_t v) { return v & ~std::uint64_t{BlockWriter::kBlock - 1}; }
std::uint64_t alignUp(std::uint64_t v) { return alignDown(v + BlockWriter::kBlock - 1); }
}  // namespace

BlockWriter::~BlockWriter() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_changed.notify_all();
  if (m_thread.joinable()) m_thread.join();
  for (auto& s : m_stages) std::free(s.bytes);
}

void BlockWriter::reset(bool direct, std::uint64_t end, std::string_view tail) {
  {
    std::unique_lock lock(m_mutex);
    waitIdle(lock);
    m_error = 0;
    m_confirmedEnd = end;
    m_confirmedTail.assign(direct ? tail : std::string_view{});
  }
  m_direct = direct;
  m_end = end;
  m_tail.assign(direct ? tail : std::string_view{});
  m_staged = false;
}

void BlockWriter::waitIdle(std::unique_lock<std::mutex>& lock) {
  m_changed.wait(lock, [this] { return !m_stages[0].busy && !m_stages[1].busy; });
}

int BlockWriter::append(FileIo& io, int fd, std::string_view data, std::size_t* consumed) {
  *consumed = 0;
  if (!m_direct) {
    std::size_t written = 0;
    const int rc = writeAll(io, fd, data.data(), data.size(), m_end, &written);
    m_end += written;
    *consumed = written;
    return rc;
  }
  if (const int rc = takeError(); rc != 0) return rc;
  while (*consumed < data.size()) {
    Stage& stage = m_stages[m_filling];
    if (!m_staged) {
      {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] { return !stage.busy; });
      }
      if (stage.bytes == nullptr) {
        void* p = nullptr;
        if (::posix_memalign(&p, kBlock, kStage) != 0) return -ENOMEM;
        stage.bytes = static_cast<unsigned char*>(p);
      }
      std::memcpy(stage.bytes, m_tail.data(), m_tail.size());
      stage.fileOffset = alignDown(m_end);
      stage.logical = m_tail.size();
      m_staged = true;
      m_dirty = false;
    }
    const std::size_t take = std::min(kStage - stage.logical, data.size() - *consumed);
    std::memcpy(stage.bytes + stage.logical, data.data() + *consumed, take);
    stage.logical += take;
    m_dirty = m_dirty || take > 0;
    *consumed += take;
    m_end += take;
    if (stage.logical == kStage) submit(io, fd);  // full: the device takes it meanwhile
  }
  return 0;
}

int BlockWriter::flush(FileIo& io, int fd) {
  if (!m_direct) return 0;
  if (m_staged && m_dirty) submit(io, fd);
  {
    std::unique_lock lock(m_mutex);
    waitIdle(lock);
  }
  return takeError();
}

// Hands the filling stage to the helper thread, padded to whole blocks, and keeps its last
// partial block as the tail the next stage starts with.
void BlockWriter::submit(FileIo& io, int fd) {
  Stage& stage = m_stages[m_filling];
  const std::size_t size = static_cast<std::size_t>(alignUp(stage.logical));
  std::memset(stage.bytes + stage.logical, 0, size - stage.logical);
  const std::size_t keep = static_cast<std::size_t>(m_end - alignDown(m_end));
  m_tail.assign(reinterpret_cast<const char*>(stage.bytes) + stage.logical - keep, keep);
  {
    std::lock_guard lock(m_mutex);
    stage.busy = true;
    m_jobs.push_back(Job{&stage, &io, fd});
    if (!m_thread.joinable())
      m_thread = std::thread([this] {
        nameThisThread("journal-write");
        run();
      });
  }
  m_changed.notify_all();
  m_filling = 1 - m_filling;
  m_staged = false;
}

// The first failure of a staged write, once; end() and the tail move back to what is written.
int BlockWriter::takeError() {
  std::unique_lock lock(m_mutex);
  if (m_error == 0) return 0;
  waitIdle(lock);
  const int rc = m_error;
  m_error = 0;
  m_end = m_confirmedEnd;
  m_tail = m_confirmedTail;
  m_staged = false;
  return rc;
}

void BlockWriter::run() {
  std::unique_lock lock(m_mutex);
  while (true) {
    m_changed.wait(lock, [this] { return m_stop || !m_jobs.empty(); });
    if (m_jobs.empty()) return;
    Job job = m_jobs.front();
    m_jobs.pop_front();
    Stage& stage = *job.stage;
    const bool skip = m_error != 0;  // after a failure nothing later may land past the gap
    lock.unlock();
    int rc = 0;
    std::size_t written = 0;
    const std::size_t size = static_cast<std::size_t>(alignUp(stage.logical));
    if (!skip) rc = writeAll(*job.io, job.fd, stage.bytes, size, stage.fileOffset, &written);
    lock.lock();
    if (!skip) {
      const std::size_t landed =
          rc == 0 ? stage.logical : std::min<std::size_t>(stage.logical, alignDown(written));
      const std::uint64_t end = stage.fileOffset + landed;
      if (end > m_confirmedEnd) {
        const std::size_t keep = static_cast<std::size_t>(end - alignDown(end));
        m_confirmedEnd = end;
        m_confirmedTail.assign(reinterpret_cast<const char*>(stage.bytes) + landed - keep, keep);
      }
      if (rc != 0) m_error = rc;
    }
    stage.busy = false;
    m_changed.notify_all();
  }
}

}  // namespace spindle::journal
